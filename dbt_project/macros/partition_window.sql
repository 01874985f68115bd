{#- The run's partition window as SQL. Dates are parsed here so a malformed value fails the
    build instead of reaching the SQL text.

    Dagster passes the window in the environment (CIVIC_PARTITION_START, CIVIC_PARTITION_END),
    read only while a node runs (`execute`): a window among the `--vars` would change dbt's
    vars hash every run, and dbt would parse the whole project again instead of reusing its
    partial parse. A standalone run may pass `partition_start` / `partition_end` as vars
    instead; the environment wins when both are given. -#}
{% macro partition_bound(name) -%}
    {%- set text = var("partition_" ~ name) -%}
    {%- if execute -%}
        {%- set text = env_var("CIVIC_PARTITION_" ~ name | upper, text) -%}
    {%- endif -%}
    date '{{ modules.datetime.date.fromisoformat(text) }}'
{%- endmacro %}

{% macro partition_start_date() -%}
    {{ partition_bound("start") }}
{%- endmacro %}

{% macro partition_end_date() -%}
    {{ partition_bound("end") }}
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

{#- An incremental model's rows are stored in day order. A backfill writes years in one
    statement, and joins and window functions hand rows on in any order; stored that way,
    every day's rows sat in most of a table's row groups, so each night's delete of its window,
    and every read of it, touched row groups across the whole history. In day order, DuckDB's
    zone maps keep a night's work to the row groups of its own days. -#}
{% macro stored_in_day_order(date_expression) -%}
    order by {{ date_expression }}
{%- endmacro %}

{#- dbt's own macro, overridden so that a test's `where` config can name the run's window:
    `__partition_start__` and `__partition_end__` become its bounds while the test runs.
    (A `where` is rendered when dbt parses the project, before the run's window is known.)
    A test that checks each row on its own, against a reference or a list, needs only the
    rows the run rebuilt: the history's rows were checked by the runs that built them. -#}
{% macro get_where_subquery(relation) -%}
    {%- set where = config.get('where') -%}
    {%- if where -%}
        {%- set where = where
            | replace('__partition_start__', partition_start_date())
            | replace('__partition_end__', partition_end_date()) -%}
        {%- do return('(select * from ' ~ relation ~ ' where ' ~ where ~ ') dbt_subquery') -%}
    {%- else -%}
        {%- do return(relation) -%}
    {%- endif -%}
{%- endmacro %}
