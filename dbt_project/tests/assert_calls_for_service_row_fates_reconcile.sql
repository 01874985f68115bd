{{ config(meta={'dagster': {'ref': {'name': 'audit_calls_for_service_row_fates'}}}) }}
-- A failure means raw rows of the window went unaccounted for: every raw row version must be
-- published, excluded by a named rule, merged as a duplicate or quarantined, and the
-- published ones must be exactly the mart's rows of the window.
with

raw_rows as (

    select count(*) as row_count
    from {{ source('raw', 'calls_for_service') }}
    where {{ in_partition_window('_partition_date') }}

),

fates as (

    select
        count(*) as row_count,
        count(*) filter (where fate = 'published') as published_count
    from {{ ref('audit_calls_for_service_row_fates') }}
    where {{ in_partition_window('partition_date') }}

),

published as (

    select count(*) as row_count
    from {{ ref('calls_for_service') }}
    where {{ in_partition_window('cast(timecreate as date)') }}

)

select
    raw_rows.row_count as raw_rows,
    fates.row_count as accounted_rows,
    fates.published_count,
    published.row_count as mart_rows
from raw_rows, fates, published
where raw_rows.row_count != fates.row_count
    or fates.published_count != published.row_count
