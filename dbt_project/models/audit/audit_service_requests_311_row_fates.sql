{{
    config(
        pre_hook="{{ delete_partition_window('partition_date') }}",
    )
}}
-- What became of every raw 311 row version of the window: published, merged into a newer
-- version of the same request, or quarantined with its reason. Repeat reports are
-- published (flagged), not merged.
with

validated as (

    select * from {{ ref('int_service_requests_311_validated') }}
    where is_in_window

),

kept as (

    select source_row_id from {{ ref('int_service_requests_311_deduplicated') }}

),

final as (

    select
        validated.partition_date,
        validated.source_row_id,
        validated.service_request,
        case
            when validated.quarantine_reason is not null then 'quarantined'
            when kept.source_row_id is null then 'merged_duplicate'
            else 'published'
        end as fate,
        case
            when validated.quarantine_reason is not null then validated.quarantine_reason
            when kept.source_row_id is null then 'superseded by a newer version of the request'
        end as fate_reason,
        validated.load_run_id

    from validated
    left join kept
        on validated.source_row_id = kept.source_row_id

)

select * from final
