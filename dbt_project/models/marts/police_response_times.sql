{{
    config(
        pre_hook="{{ delete_partition_window('call_date') }}",
    )
}}
-- How fast police respond, per local day, police district, priority and whether the call was
-- self-initiated (reported apart: an officer on scene creates the call): dispatch delay
-- (created to dispatched), travel time (dispatched to arrived) and time on scene (arrived to
-- closed). Computed from the published calls, so anyone can recompute it from the portal.
-- Void, duplicate and test calls are left out (seeds/response_time_exclusions.csv): nobody
-- responded to a voided or test call, and a duplicate's event is timed under its original.
with

exclusions as (

    select * from {{ ref('response_time_exclusions') }}

),

calls as (

    select * from {{ ref('calls_for_service') }}
    where
        {{ in_partition_window('cast(timecreate as date)') }}
        and coalesce(disposition, '') not in (
            select exclusions.code from exclusions
            where exclusions.field = 'disposition'
        )
        and type_ not in (
            select exclusions.code from exclusions
            where exclusions.field = 'type'
        )

),

summarized as (

    select
        cast(timecreate as date) as call_date,
        coalesce(policedistrict, 'unknown') as policedistrict,
        coalesce(priority, 'unknown') as priority,
        selfinitiated,
        count(*) as calls,
        {{ interval_summary('dispatch_delay', 'timecreate', 'timedispatch') }},
        {{ interval_summary('travel_time', 'timedispatch', 'timearrive') }},
        {{ interval_summary('time_on_scene', 'timearrive', 'timeclosed') }}

    from calls
    group by all

),

final as (

    select
        concat_ws('|', strftime(call_date, '%Y-%m-%d'), policedistrict, priority, selfinitiated)
            as response_time_id,
        *
    from summarized

)

select * from final
