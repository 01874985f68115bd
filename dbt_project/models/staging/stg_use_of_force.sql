-- Typed and renamed NOPD use-of-force rows: one row per source row version, in the old
-- layout (one row per officer, force type and subject of an incident).
with

source as (

    select * from {{ source('raw', 'use_of_force') }}

),

renamed as (

    select
        _source_row_id as source_row_id,
        {{ parse_system_timestamp('_source_updated_at') }} as source_updated_at,
        _partition_date as partition_date,
        _loaded_at as loaded_at,
        _load_run_id as load_run_id,

        upper({{ blank_to_null('pib_file_number') }}) as pib_file_number,
        {{ blank_to_null('date_occurred') }} as occurred_on_reported,
        cast({{ parse_floating_timestamp('date_occurred') }} as date) as occurred_on,

        {% for column in use_of_force_text_columns() %}
            {{ blank_to_null(column) }} as {{ column }},
        {% endfor %}

        {{ blank_to_null('officer_name') }} as officer_name,
        {{ blank_to_null('officer_badge_number') }} as officer_badge_number,
        {{ blank_to_null('subject_name') }} as subject_name,
        {{ blank_to_null('subject_date_of_birth') }} as subject_date_of_birth,
        {{ blank_to_null('incident_address') }} as incident_address,
        {{ blank_to_null('narrative') }} as narrative

    from source

)

select * from renamed
