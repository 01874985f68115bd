{{
    config(
        pre_hook="{{ delete_partition_window('call_date') }}",
    )
}}
-- How fast police respond, per local day, police district, priority and whether the call was
-- self-initiated (reported apart: an officer on scene creates the call): dispatch delay
-- (created to dispatched), travel time (dispatched to arrived) and time on scene (arrived to
-- closed). Computed from the published calls, so anyone can recompute it from the portal:
-- each interval between the instants the local times stand for, read on the city's clock in
-- the call's order (macros/city_clock.sql, the rule staging and validation use), so a call
-- created at 01:50 and dispatched at 01:05 on a fall-back night waited 15 minutes, and one
-- created at 01:40 and dispatched at 03:10 on a spring-forward night 30.
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

{{ calls_on_city_clock('calls', 'timecreate', 'timedispatch', 'timearrive', 'timeclosed') }},

summarized as (

    select
        cast(timecreate as date) as call_date,
        coalesce(policedistrict, 'unknown') as policedistrict,
        coalesce(priority, 'unknown') as priority,
        selfinitiated,
        count(*) as calls,
        {{ interval_summary('dispatch_delay', 'timecreate_utc', 'timedispatch_utc') }},
        {{ interval_summary('travel_time', 'timedispatch_utc', 'timearrive_utc') }},
        {{ interval_summary('time_on_scene', 'timearrive_utc', 'timeclosed_utc') }}

    from calls_on_city_clock
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
{{ stored_in_day_order('call_date') }}
