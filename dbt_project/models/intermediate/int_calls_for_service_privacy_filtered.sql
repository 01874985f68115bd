-- The privacy rules of seeds/privacy_rules.csv applied: contact details and narratives
-- dropped, addresses and coordinates generalized to the block, and each row that must not
-- be published marked with the rule that excludes it (the mart keeps the unmarked ones).
with

normalized as (

    select * from {{ ref('int_calls_for_service_normalized') }}

),

block_located as (

    select * from {{ ref('int_calls_for_service_block_located') }}

),

sensitive_types as (

    select * from {{ ref('sensitive_location_call_types') }}

),

screened as (

    select
        *,
        {% if var('calls_for_service')['exclude_juvenile_call_types'] %}
            {{ is_juvenile_call_type('type_code', ['type_text', 'type_text_reported']) }}
            or {{ is_juvenile_call_type(
                'initial_type_code', ['initial_type_text', 'initial_type_text_reported']
            ) }}
        {% else %}
            false
        {% endif %} as is_juvenile_call_type,
        closed_at is null as is_open_call,
        exists (
            select 1 from sensitive_types
            where starts_with(
                {{ normalized_text('normalized.type_text') }}, sensitive_types.type_text_prefix
            )
            or starts_with(
                {{ normalized_text('normalized.type_text_reported') }},
                sensitive_types.type_text_prefix
            )
        ) as is_sensitive_location

    from normalized

),

generalized as (

    select
        screened.*,
        {{ mask_block_address('screened.address') }} as block_address,
        case when not screened.is_sensitive_location then block_located.map_x end as map_x,
        case when not screened.is_sensitive_location then block_located.map_y end as map_y,
        case
            when not screened.is_sensitive_location
                then {{ wkt_point('block_located.block_longitude', 'block_located.block_latitude') }}
        end as location

    from screened
    left join block_located
        on screened.source_row_id = block_located.source_row_id

),

final as (

    select
        source_row_id,
        source_updated_at,
        partition_date,
        versions_seen,
        nopd_item,
        type_code,
        type_text,
        priority,
        initial_type_code,
        initial_type_text,
        initial_priority,
        created_at,
        dispatched_at,
        arrived_at,
        closed_at,
        disposition_code,
        disposition_text,
        is_self_initiated,
        beat,
        block_address,
        zip,
        police_district,
        map_x,
        map_y,
        location,
        case
            when is_juvenile_call_type then 'exclude_juvenile_call_types'
            when is_open_call then 'exclude_open_calls'
        end as exclusion_rule

    from generalized

)

select * from final
