-- One row per service request: the version written last at the source wins.
with

validated as (

    select * from {{ ref('int_service_requests_311_validated') }}
    where quarantine_reason is null

),

ranked as (

    select
        *,
        row_number() over (
            partition by service_request
            order by source_updated_at desc nulls last, loaded_at desc, source_row_id desc
        ) as version_rank

    from validated

),

final as (

    select * exclude (version_rank)
    from ranked
    where version_rank = 1

)

select * from final
