{{
    config(
        pre_hook="{{ delete_partition_window('call_date') }}",
    )
}}
-- Published calls that look like one event entered under more than one item number: the
-- same final type at the same block, created within a minute of each other (the city's
-- 2011 export opens with five 17M items at one block in one second). They are published as
-- the CAD recorded them and listed here, each later item beside the earliest item it
-- resembles, for a data steward to confirm or reject; nothing is merged on a guess.
with

calls as (

    select
        nopd_item,
        type_,
        timecreate,
        block_address
    from {{ ref('calls_for_service') }}
    where
        {{ in_partition_window('cast(timecreate as date)') }}
        and block_address is not null

),

resembling as (

    select
        later.nopd_item,
        earlier.nopd_item as resembles_nopd_item,
        later.type_,
        later.block_address,
        later.timecreate,
        abs(epoch(later.timecreate) - epoch(earlier.timecreate)) as seconds_apart
    from calls as later
    inner join calls as earlier
        on
            later.type_ = earlier.type_
            and later.block_address = earlier.block_address
            and later.nopd_item > earlier.nopd_item
            and abs(epoch(later.timecreate) - epoch(earlier.timecreate))
            <= {{ var('suspected_duplicate_event_seconds') }}

),

final as (

    select
        cast(timecreate as date) as call_date,
        nopd_item,
        min(resembles_nopd_item) as suspected_duplicate_of,
        any_value(type_) as type_,
        any_value(block_address) as block_address,
        min(seconds_apart) as seconds_apart
    from resembling
    group by cast(timecreate as date), nopd_item

)

select * from final
{{ stored_in_day_order('call_date') }}
