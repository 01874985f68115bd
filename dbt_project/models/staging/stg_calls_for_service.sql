-- Typed and renamed OPCD calls: one row per source row version. The reported text of every
-- timestamp is kept beside its parsed value so validation can say which field broke, and
-- beside the local (floating) value the UTC instant it stands for, read on the city's clock
-- in the call's own order (macros/city_clock.sql): durations and orders are compared there.
-- Columns the city renamed between layouts are read under either name.
{%- set arrived_reported = renamed_source_column(
    source('raw', 'calls_for_service'), ['timearrive', 'timearrival']
) %}
with

source as (

    select * from {{ source('raw', 'calls_for_service') }}

),

renamed as (

    select
        _source_row_id as source_row_id,
        {{ parse_system_timestamp('_source_updated_at') }} as source_updated_at,
        _partition_date as partition_date,
        _loaded_at as loaded_at,
        _load_run_id as load_run_id,

        {{ blank_to_null('nopd_item') }} as nopd_item,
        {{ renamed_source_column(source('raw', 'calls_for_service'), ['type', 'type_']) }}
            as type_code,
        {{ blank_to_null('typetext') }} as type_text_reported,
        upper({{ blank_to_null('priority') }}) as priority,
        {{ blank_to_null('initialtype') }} as initial_type_code,
        {{ blank_to_null('initialtypetext') }} as initial_type_text_reported,
        upper({{ blank_to_null('initialpriority') }}) as initial_priority,

        {{ blank_to_null('timecreate') }} as created_at_reported,
        {{ blank_to_null('timedispatch') }} as dispatched_at_reported,
        {{ arrived_reported }} as arrived_at_reported,
        {{ blank_to_null('timeclosed') }} as closed_at_reported,
        {{ parse_floating_timestamp('timecreate') }} as created_at,
        {{ parse_floating_timestamp('timedispatch') }} as dispatched_at,
        {{ parse_floating_timestamp(arrived_reported) }} as arrived_at,
        {{ parse_floating_timestamp('timeclosed') }} as closed_at,

        upper({{ blank_to_null('disposition') }}) as disposition_code,
        {{ blank_to_null('dispositiontext') }} as disposition_text_reported,
        {{ blank_to_null('selfinitiated') }} as selfinitiated_reported,
        upper({{ blank_to_null('selfinitiated') }}) = 'Y' as is_self_initiated,
        upper({{ blank_to_null('beat') }}) as beat,
        {{ blank_to_null('address') }} as address,
        {{ blank_to_null('zip') }} as zip,
        {{ blank_to_null('policedistrict') }} as police_district,
        {{ blank_to_null('latitude') }} as latitude_reported,
        {{ blank_to_null('longitude') }} as longitude_reported,
        try_cast({{ blank_to_null('latitude') }} as double) as latitude,
        try_cast({{ blank_to_null('longitude') }} as double) as longitude,

        {{ blank_to_null('caller_name') }} as caller_name,
        {{ blank_to_null('caller_phone') }} as caller_phone,
        {{ blank_to_null('narrative') }} as narrative

    from source

),

{{ calls_on_city_clock('renamed', 'created_at', 'dispatched_at', 'arrived_at', 'closed_at') }},

final as (

    select * from calls_on_city_clock

)

select * from final
