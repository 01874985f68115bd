"""How a run's Dagster process records a range of days: Dagster's own settings, in one place.

A run over a range of days (a backfill: one run per range, the assets' single-run backfill
policy) records one materialization per asset and day, and one planned event per asset and
day before it starts: a fifteen-year backfill is hundreds of thousands of events. On
PostgreSQL each is a transaction of its own, about 40 a second on this machine, so a backfill
spent most of its time in bookkeeping (issue 19). Dagster can record them otherwise; both
settings are read by Dagster in the run's process, when it records, so they travel in the
environment of every process that launches or executes runs (`make dev`, `make run`,
`make serve`, the bench, deploy/k8s's pods):

- `DAGSTER_EVENT_BATCH_SIZE`: a range step's materializations of one asset are written in
  batches of this many, one insert and one index transaction per batch, on PostgreSQL (other
  storages write them one by one, as without it). Measured here on PostgreSQL, 10 assets by
  1,000 days: 36 events a second one by one, about 1,900 in batches of 1,000.
- `DAGSTER_EMIT_PARTITION_SUBSET_IN_PLANNED_EVENTS`: one planned event per asset and range,
  not per day. What it costs: the days of a range run that fails are shown as missing, not
  failed, in the asset's partition bar; the run itself is failed, and the failure sensor
  records it (ops.run_failures).

A single day's run (the nightly schedule, a sensor's) records the same events either way.
"""

from __future__ import annotations

# Events held in the run's memory before a write: a few hundred kilobytes.
EVENT_BATCH_SIZE = 1000

RANGE_RUN_RECORDING = {
    "DAGSTER_EVENT_BATCH_SIZE": str(EVENT_BATCH_SIZE),
    "DAGSTER_EMIT_PARTITION_SUBSET_IN_PLANNED_EVENTS": "true",
}
