{{
    config(
        pre_hook="{{ delete_partition_window('partition_date') }}",
    )
}}
-- What became of every raw 311 row version of the window: published, excluded by a named
-- privacy rule (at block precision), merged into a newer version of the same request, or
-- quarantined with its reason. Repeat reports are
-- published (flagged), not merged.
with

validated as (

    select * from {{ ref('int_service_requests_311_validated') }}
    where is_in_window

),

kept as (

    select source_row_id from {{ ref('int_service_requests_311_deduplicated') }}

),

screened as (

    select
        source_row_id,
        exclusion_rule
    from {{ ref('int_service_requests_311_privacy_filtered') }}

),

final as (

    select
        validated.partition_date,
        validated.source_row_id,
        validated.service_request,
        case
            when validated.quarantine_reason is not null then 'quarantined'
            when kept.source_row_id is null then 'merged_duplicate'
            when screened.exclusion_rule is not null then 'excluded'
            else 'published'
        end as fate,
        case
            when validated.quarantine_reason is not null then validated.quarantine_reason
            when kept.source_row_id is null then 'superseded by a newer version of the request'
            else screened.exclusion_rule
        end as fate_reason,
        validated.load_run_id

    from validated
    left join kept
        on validated.source_row_id = kept.source_row_id
    left join screened
        on validated.source_row_id = screened.source_row_id

)

select * from final
{{ stored_in_day_order('partition_date') }}
