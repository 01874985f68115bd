-- Every source row version of the window, with the reason it breaks the rules of its type,
-- if it does. Rows with a reason are quarantined: kept out of the public data, and counted.
with

staged as (

    select * from {{ ref('stg_calls_for_service') }}
    where {{ in_partition_window('partition_date') }}

),

checked as (

    select
        *,
        concat_ws(
            '; ',
            case when nopd_item is null then 'missing nopd_item' end,
            case
                when nopd_item is not null and not regexp_full_match(nopd_item, '[A-Z][0-9]{7}')
                    then 'malformed nopd_item'
            end,
            case when type_code is null then 'missing type' end,
            case when created_at_reported is null then 'missing timecreate' end,
            case
                when created_at_reported is not null and created_at is null
                    then 'unparsable timecreate'
            end,
            case
                when created_at is not null and cast(created_at as date) != partition_date
                    then 'timecreate outside its partition day'
            end,
            case
                when dispatched_at_reported is not null and dispatched_at is null
                    then 'unparsable timedispatch'
            end,
            case
                when arrived_at_reported is not null and arrived_at is null
                    then 'unparsable timearrive'
            end,
            case
                when closed_at_reported is not null and closed_at is null
                    then 'unparsable timeclosed'
            end
        ) as reasons

    from staged

),

final as (

    select
        * exclude (reasons),
        nullif(reasons, '') as quarantine_reason
    from checked

)

select * from final
