{{
    config(
        pre_hook="{{ delete_partition_window('cast(date_created as date)') }}",
    )
}}
-- Public 311 service requests: one row per request in the columns of the city's current
-- dataset, requester identity gone, repeat reports flagged with the request they repeat.
with

requests as (

    select * from {{ ref('int_service_requests_311_privacy_filtered') }}
    where is_in_window and exclusion_rule is null

),

final as (

    select
        service_request,
        request_type,
        request_reason,
        created_at as date_created,
        modified_at as date_modified,
        closed_at as case_close_date,
        request_status,
        responsible_agency,
        final_address,
        council_district as address_councildis,
        final_x,
        final_y,
        latitude,
        longitude,
        status,
        contractor,
        contractor_action,
        rowid,
        duplicate_of

    from requests

)

select * from final
{{ stored_in_day_order('cast(date_created as date)') }}
