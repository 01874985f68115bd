{#- Schemas are named after the layer (staging, intermediate, marts, audit, rules), not
    prefixed with the target schema, so Dagster, Soda and people find tables where the
    architecture says they are. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {{ custom_schema_name | trim if custom_schema_name else target.schema }}
{%- endmacro %}
