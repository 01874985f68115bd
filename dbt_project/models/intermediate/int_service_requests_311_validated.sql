-- 311 row versions of the window, plus the look-back the repeat rule needs (requests of the
-- previous repeat_window_days, which a request of the window may repeat), each with the
-- reason it breaks the rules of its type, if it does.
-- A table, not a view: six models and tests read these rows each run. As a view each of them
-- read the raw requests again, and a 311 backfill's raw rows are not in day order (a whole
-- history arrives in one page, in `:id` order), so each read went through every year.
{{ config(materialized='table') }}
{%- set look_back_days = var('service_requests_311')['repeat_window_days'] %}
with

staged as (

    select
        *,
        {{ in_partition_window('partition_date') }} as is_in_window
    from {{ ref('stg_service_requests_311') }}
    where partition_date >= {{ partition_start_date() }} - {{ look_back_days }}
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
            end,
            -- The rest hold a row to what the contract holds the published rows to, so one
            -- broken row is quarantined instead of failing the whole day's publish.
            case
                when service_request is not null
                    and not regexp_full_match(service_request, '[0-9]{4}-[0-9]+')
                    then 'malformed service_request'
            end,
            case
                when request_status is not null and request_status not in ('Pending', 'Closed')
                    then 'unknown request_status'
            end,
            case
                when council_district is not null
                    and council_district not in ('A', 'B', 'C', 'D', 'E')
                    then 'unknown address_councildis'
            end,
            case
                when latitude_reported is not null and latitude is null
                    then 'unparsable latitude'
            end,
            case
                when longitude_reported is not null and longitude is null
                    then 'unparsable longitude'
            end,
            case
                when {{ is_outside_orleans_parish('latitude', 'longitude') }}
                    then 'coordinates outside Orleans Parish'
            end,
            {{ unpublishable_text_reasons([
                'request_type', 'request_reason', 'responsible_agency', 'final_address',
                'status', 'contractor', 'contractor_action',
            ]) }}
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
