{{
    config(
        pre_hook="{{ delete_partition_window('cast(timecreate as date)') }}",
    )
}}
-- The public calls for service: one row per published nopd_item, in the columns and names
-- the city's calls-for-service datasets publish, so their consumers keep working.
with

screened as (

    select * from {{ ref('int_calls_for_service_privacy_filtered') }}
    where exclusion_rule is null

),

final as (

    select
        nopd_item,
        type_code as type_,
        type_text as typetext,
        priority,
        initial_type_code as initialtype,
        initial_type_text as initialtypetext,
        initial_priority as initialpriority,
        map_x as mapx,
        map_y as mapy,
        created_at as timecreate,
        dispatched_at as timedispatch,
        arrived_at as timearrive,
        closed_at as timeclosed,
        disposition_code as disposition,
        disposition_text as dispositiontext,
        case when is_self_initiated then 'Y' else 'N' end as selfinitiated,
        beat,
        block_address,
        zip,
        police_district as policedistrict,
        location

    from screened

)

select * from final
{{ stored_in_day_order('cast(timecreate as date)') }}
