-- 311 row versions of the window, plus the look-back the repeat rule needs (requests of the
-- previous repeat_window_days, which a request of the window may repeat), each with the
-- reason it breaks the rules of its type, if it does.
with

staged as (

    select
        *,
        {{ in_partition_window('partition_date') }} as is_in_window
    from {{ ref('stg_service_requests_311') }}
    where partition_date >= {{ partition_start_date() }}
            - {{ var('service_requests_311')['repeat_window_days'] }}
        and partition_date < {{ partition_end_date() }}

),

checked as (

    select
        *,
        concat_ws(
            '; ',
            case when service_request is null then 'missing service_request' end,
            case when created_at_reported is null then 'missing date_created' end,
            case
                when created_at_reported is not null and created_at is null
                    then 'unparsable date_created'
            end,
            case
                when created_at is not null and cast(created_at as date) != partition_date
                    then 'date_created outside its partition day'
            end,
            case
                when modified_at_reported is not null and modified_at is null
                    then 'unparsable date_modified'
            end,
            case
                when closed_at_reported is not null and closed_at is null
                    then 'unparsable case_close_date'
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
