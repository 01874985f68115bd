{#- `column_name` is unique across the model's whole history, checked at the cost of the run's
    window: a key of the window twice, or a key of the window that another day's rows hold
    too (a call that moved to another day and stands in two partitions). Every run checks
    its own window against all the others, so no duplicate can settle in between; what a
    plain `unique` test would add is a scan of every key of the history each night, which
    made the nightly run grow with the years. `partition_column` is the day expression the
    model's partition window is cut by. -#}
{% test unique_in_history(model, column_name, partition_column) %}
with window_keys as (
    select {{ column_name }} as key
    from {{ model }}
    where {{ in_partition_window(partition_column) }}
        and {{ column_name }} is not null
)

select key, 'twice in the window' as found
from window_keys
group by key
having count(*) > 1

union all

select distinct {{ column_name }} as key, 'also on another day' as found
from {{ model }}
where not {{ in_partition_window(partition_column) }}
    and {{ column_name }} in (select key from window_keys)
{% endtest %}
