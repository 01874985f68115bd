{#- A failure means raw rows of the window went unaccounted for: every raw row version must
    have exactly one fate in the audit model. -#}
{% test reconciles_with_raw(model, raw_table) %}

with

raw_rows as (

    select count(*) as row_count
    from {{ source('raw', raw_table) }}
    where {{ in_partition_window('_partition_date') }}

),

fates as (

    select count(*) as row_count
    from {{ model }}
    where {{ in_partition_window('partition_date') }}

)

select raw_rows.row_count as raw_rows, fates.row_count as accounted_rows
from raw_rows, fates
where raw_rows.row_count != fates.row_count

{% endtest %}
