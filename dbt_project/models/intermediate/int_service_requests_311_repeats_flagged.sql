-- Repeat reports kept, not dropped: a request for the same problem (type and reason) at the
-- same place within repeat_window_days of an earlier one carries that earlier request's
-- number in duplicate_of. The earliest request of a run of repeats is the one they repeat.
{%- set repeat_window_days = var('service_requests_311')['repeat_window_days'] %}
with

requests as (

    select
        *,
        {{ normalized_text('final_address') }} as place
    from {{ ref('int_service_requests_311_deduplicated') }}

),

earlier_reports as (

    select
        later.service_request,
        min_by(earlier.service_request, (earlier.created_at, earlier.service_request))
            as duplicate_of

    from requests as later
    inner join requests as earlier
        on later.place = earlier.place
            and later.request_type = earlier.request_type
            and later.request_reason is not distinct from earlier.request_reason
            and (
                (earlier.created_at, earlier.service_request)
                < (later.created_at, later.service_request)
            )
            and later.created_at - earlier.created_at <= to_days({{ repeat_window_days }})
    group by later.service_request

),

final as (

    select
        requests.* exclude (requests.place),
        earlier_reports.duplicate_of

    from requests
    left join earlier_reports
        on requests.service_request = earlier_reports.service_request

)

select * from final
