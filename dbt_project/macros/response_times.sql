{#- One interval between two instants (UTC timestamps, so a daylight-saving change between
    them counts as the time that passed), summarized for a group of calls: how many calls
    have both timestamps in order, the median and 90th percentile in seconds over those, and
    how many were left out because a timestamp is missing or the two are out of order. -#}
{% macro interval_summary(name, started_at, ended_at) -%}
    count(*) filter (
        where {{ started_at }} is not null and {{ ended_at }} is not null
            and {{ ended_at }} >= {{ started_at }}
    ) as {{ name }}_calls,
    round(quantile_cont(
        epoch({{ ended_at }}) - epoch({{ started_at }}), 0.5
    ) filter (where {{ ended_at }} >= {{ started_at }}), 1) as {{ name }}_median_s,
    round(quantile_cont(
        epoch({{ ended_at }}) - epoch({{ started_at }}), 0.9
    ) filter (where {{ ended_at }} >= {{ started_at }}), 1) as {{ name }}_p90_s,
    count(*) filter (
        where {{ started_at }} is null or {{ ended_at }} is null
    ) as {{ name }}_missing,
    count(*) filter (where {{ ended_at }} < {{ started_at }}) as {{ name }}_out_of_order
{%- endmacro %}
