{#- The run's partition window as SQL. Dates are parsed here so a malformed var fails the
    build instead of reaching the SQL text. -#}
{% macro partition_start_date() -%}
    date '{{ modules.datetime.date.fromisoformat(var("partition_start")) }}'
{%- endmacro %}

{% macro partition_end_date() -%}
    date '{{ modules.datetime.date.fromisoformat(var("partition_end")) }}'
{%- endmacro %}

{% macro in_partition_window(date_expression) -%}
    ({{ date_expression }} >= {{ partition_start_date() }}
        and {{ date_expression }} < {{ partition_end_date() }})
{%- endmacro %}

{#- Incremental models hold the whole history; a run replaces exactly its window. -#}
{% macro delete_partition_window(date_expression) -%}
    {% if is_incremental() %}
        delete from {{ this }} where {{ in_partition_window(date_expression) }}
    {% endif %}
{%- endmacro %}
