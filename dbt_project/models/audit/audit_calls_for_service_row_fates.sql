{{
    config(
        pre_hook="{{ delete_partition_window('partition_date') }}",
    )
}}
-- What became of every raw row version of the window: published, excluded by a named
-- privacy rule, merged into a newer version of the same call, or quarantined with its
-- reason. Counts reconcile with the raw table per partition (tests/ checks that).
with

validated as (

    select * from {{ ref('int_calls_for_service_validated') }}

),

screened as (

    select * from {{ ref('int_calls_for_service_privacy_filtered') }}

),

final as (

    select
        validated.partition_date,
        validated.source_row_id,
        validated.nopd_item,
        case
            when validated.quarantine_reason is not null then 'quarantined'
            when screened.source_row_id is null then 'merged_duplicate'
            when screened.exclusion_rule is not null then 'excluded'
            else 'published'
        end as fate,
        case
            when validated.quarantine_reason is not null then validated.quarantine_reason
            when screened.source_row_id is null then 'superseded by a newer version of the call'
            else screened.exclusion_rule
        end as fate_reason,
        validated.load_run_id

    from validated
    left join screened
        on validated.source_row_id = screened.source_row_id

)

select * from final
{{ stored_in_day_order('partition_date') }}
