-- Typed and renamed 311 service requests: one row per source row version.
with

source as (

    select * from {{ source('raw', 'service_requests_311') }}

),

renamed as (

    select
        _source_row_id as source_row_id,
        {{ parse_system_timestamp('_source_updated_at') }} as source_updated_at,
        _partition_date as partition_date,
        _loaded_at as loaded_at,
        _load_run_id as load_run_id,

        {{ blank_to_null('service_request') }} as service_request,
        {{ blank_to_null('rowid') }} as rowid,
        {{ blank_to_null('request_type') }} as request_type,
        {{ blank_to_null('request_reason') }} as request_reason,
        {{ blank_to_null('date_created') }} as created_at_reported,
        {{ blank_to_null('date_modified') }} as modified_at_reported,
        {{ blank_to_null('case_close_date') }} as closed_at_reported,
        {{ parse_floating_timestamp('date_created') }} as created_at,
        {{ parse_floating_timestamp('date_modified') }} as modified_at,
        {{ parse_floating_timestamp('case_close_date') }} as closed_at,
        {{ blank_to_null('request_status') }} as request_status,
        {{ blank_to_null('responsible_agency') }} as responsible_agency,
        {{ blank_to_null('final_address') }} as final_address,
        upper({{ blank_to_null('address_councildis') }}) as council_district,
        try_cast({{ blank_to_null('final_x') }} as double) as final_x,
        try_cast({{ blank_to_null('final_y') }} as double) as final_y,
        {{ blank_to_null('latitude') }} as latitude_reported,
        {{ blank_to_null('longitude') }} as longitude_reported,
        try_cast({{ blank_to_null('latitude') }} as double) as latitude,
        try_cast({{ blank_to_null('longitude') }} as double) as longitude,
        {{ blank_to_null('status') }} as status,
        {{ blank_to_null('contractor') }} as contractor,
        {{ blank_to_null('contractor_action') }} as contractor_action,

        {{ blank_to_null('requester_name') }} as requester_name,
        {{ blank_to_null('requester_phone') }} as requester_phone,
        {{ blank_to_null('requester_email') }} as requester_email

    from source

)

select * from renamed
