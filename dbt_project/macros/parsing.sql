{#- Socrata floating timestamps (local time, no zone): 2022-01-01T01:07:00.000. Anything
    else parses to null, and the validation model turns that into a quarantine reason. -#}
{% macro parse_floating_timestamp(column) -%}
    try_strptime(
        nullif(trim({{ column }}), ''),
        ['%Y-%m-%dT%H:%M:%S.%g', '%Y-%m-%dT%H:%M:%S']
    )
{%- endmacro %}

{#- Socrata system timestamps (:updated_at) are UTC with a Z. -#}
{% macro parse_system_timestamp(column) -%}
    try_strptime(
        nullif(trim({{ column }}), ''),
        ['%Y-%m-%dT%H:%M:%S.%gZ', '%Y-%m-%dT%H:%M:%SZ', '%Y-%m-%dT%H:%M:%S.%g']
    )
{%- endmacro %}

{#- Free text compared the way people read it: case and runs of spaces do not matter. -#}
{% macro normalized_text(column) -%}
    upper(trim(regexp_replace({{ column }}, '\s+', ' ', 'g')))
{%- endmacro %}

{% macro blank_to_null(column) -%}
    nullif(trim({{ column }}), '')
{%- endmacro %}
