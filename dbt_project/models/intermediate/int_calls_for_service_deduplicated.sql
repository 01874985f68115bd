-- One row per call: of all valid versions of an nopd_item in the window (exact duplicates,
-- re-sent rows), the latest written at the source wins.
with

validated as (

    select * from {{ ref('int_calls_for_service_validated') }}
    where quarantine_reason is null

),

ranked as (

    select
        *,
        row_number() over (
            partition by nopd_item
            order by source_updated_at desc nulls last, loaded_at desc, source_row_id desc
        ) as version_rank,
        count(*) over (partition by nopd_item) as versions_seen

    from validated

),

final as (

    select * exclude (version_rank)
    from ranked
    where version_rank = 1

)

select * from final
