{{
    config(
        severity='warn',
        meta={'dagster': {'ref': {'name': 'audit_calls_for_service_suspected_duplicate_events'}}},
    )
}}
-- A warning, never a block: the window holds calls that look like one event under more than
-- one item number. They are published as recorded; the audit table lists each pair for review.
select
    nopd_item,
    suspected_duplicate_of
from {{ ref('audit_calls_for_service_suspected_duplicate_events') }}
where {{ in_partition_window('call_date') }}
