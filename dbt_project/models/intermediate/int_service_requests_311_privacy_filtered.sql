-- A table, not a view: the mart and the tests on this model read it, and each would
-- otherwise evaluate the privacy rules over the whole window again.
{{ config(materialized='table') }}
-- The privacy rules for 311: the requester's name, phone and email dropped
-- (drop_requester_identity); the address and coordinates published at the precision the
-- catalog sets (publish_311_address_at_catalog_precision): 'full' as the city publishes
-- them, 'block' as a hundred-block and block-grid coordinates (a request whose address has
-- no safe public form withheld: withhold_unsafe_addresses). Staff type the requester's
-- name, phone or email (and, at block precision, the full address) into the free-text
-- columns too: those are cut out of every published text (redact_private_values).
{% set precision = var('service_requests_311')['address_precision'] %}
{% if precision not in ['full', 'block'] %}
    {{ exceptions.raise_compiler_error(
        "service_requests_311.address_precision must be 'full' or 'block', not " ~ precision
    ) }}
{% endif %}
{% set typed_private = (
    '[flagged.requester_name, flagged.requester_phone, flagged.requester_email'
    ~ (', flagged.final_address' if precision == 'block' else '') ~ ']'
) %}
with

flagged as (

    select * from {{ ref('int_service_requests_311_repeats_flagged') }}

),

block_located as (

    select * from {{ ref('int_service_requests_311_block_located') }}

),

address_generalized as (

    select
        source_row_id,
        block_address,
        address_withheld_reason
    from {{ ref('int_service_requests_311_address_generalized') }}

),

located as (

    select
        flagged.* exclude (
            request_type, request_reason, responsible_agency, status, contractor,
            contractor_action
        ),
        {% for column in [
            'request_type', 'request_reason', 'responsible_agency', 'status', 'contractor',
            'contractor_action'
        ] %}
            {{ redact_private_values('flagged.' ~ column, typed_private) }} as {{ column }},
        {% endfor %}
        {% if precision == 'block' %}
            address_generalized.block_address as published_address,
            case
                when address_generalized.address_withheld_reason is not null
                    then 'withhold_unsafe_addresses'
            end as exclusion_rule,
            block_located.map_x as published_x,
            block_located.map_y as published_y,
            round(block_located.block_latitude, 6) as published_latitude,
            round(block_located.block_longitude, 6) as published_longitude
        {% else %}
            flagged.final_address as published_address,
            cast(null as varchar) as exclusion_rule,
            case when block_located.map_x is not null then flagged.final_x end as published_x,
            case when block_located.map_y is not null then flagged.final_y end as published_y,
            case when block_located.map_x is not null then flagged.latitude end
                as published_latitude,
            case when block_located.map_x is not null then flagged.longitude end
                as published_longitude
        {% endif %}

    from flagged
    left join block_located
        on flagged.source_row_id = block_located.source_row_id
    left join address_generalized
        on flagged.source_row_id = address_generalized.source_row_id

),

final as (

    select
        source_row_id,
        partition_date,
        is_in_window,
        service_request,
        request_type,
        request_reason,
        created_at,
        modified_at,
        closed_at,
        request_status,
        responsible_agency,
        published_address as final_address,
        council_district,
        published_x as final_x,
        published_y as final_y,
        published_latitude as latitude,
        published_longitude as longitude,
        status,
        contractor,
        contractor_action,
        rowid,
        duplicate_of,
        exclusion_rule

    from located

)

select * from final
