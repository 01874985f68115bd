{#- The public columns of the city's use-of-force dataset, by the grain they describe. An
    incident has officers, each officer force types, and subjects; the public row of an
    incident joins each list with " | " as the city's current layout does. -#}

{% macro use_of_force_incident_columns() -%}
    {{ return([
        'originating_bureau', 'division_level', 'division', 'unit', 'working_status', 'shift',
        'investigation_status', 'disposition', 'service_type', 'light_condition',
        'weather_condition', 'use_of_force_reason'
    ]) }}
{%- endmacro %}

{% macro use_of_force_officer_columns() -%}
    {{ return([
        'officer_race_ethnicity', 'officer_gender', 'officer_age', 'officer_years_of_service',
        'officer_injured'
    ]) }}
{%- endmacro %}

{% macro use_of_force_force_columns() -%}
    {{ return([
        'use_of_force_type', 'use_of_force_level', 'use_of_force_effective', 'distance_between'
    ]) }}
{%- endmacro %}

{% macro use_of_force_subject_columns() -%}
    {{ return([
        'subject_gender', 'subject_ethnicity', 'subject_age', 'subject_build', 'subject_height',
        'subject_injured', 'subject_hospitalized', 'subject_arrested', 'subject_arrest_charges',
        'subject_influencing_factors'
    ]) }}
{%- endmacro %}

{% macro use_of_force_text_columns() -%}
    {{ return(
        use_of_force_incident_columns() + use_of_force_officer_columns()
        + use_of_force_force_columns() + use_of_force_subject_columns()
    ) }}
{%- endmacro %}

{#- A free-text category as the seed spells it: the city's exports misspell and re-case the
    same value (Alchohol, Superintendant, "Service" vs "Services" Bureau). -#}
{% macro corrected_value(column) -%}
    coalesce(
        (
            select corrections.canonical
            from {{ ref('use_of_force_value_corrections') }} as corrections
            where corrections.column_name = '{{ column }}'
                and corrections.variant = {{ column }}
        ),
        {{ column }}
    )
{%- endmacro %}

{#- The values of one grain of an incident, joined in the grain's order. -#}
{% macro joined_list(column, order_by) -%}
    string_agg({{ column }}, ' | ' order by {{ order_by }})
{%- endmacro %}
