"""The settling sensor: a day whose publish held rows still settling is published again
once the last of them has settled.

Each publish of a `settled` dataset records, per day, the rows it held and when the last of
them settles (`held_days`, orchestration/publishing/settling.py), in its materialization
(or, for a full refresh, its observation). The `<dataset>_settled_rows` sensor follows those
records and, at that moment, requests the day's publishes again (the dataset's and those
derived from it), from the marts already built: held rows are never lost, however old the
day (a call of last month closed today settles like yesterday's). A later publish of the
day replaces what an earlier one recorded.
"""

import json
from datetime import datetime

import dagster as dg

from orchestration.catalog import PublishedDataset
from orchestration.defs.schedules import daily_publish_job
from orchestration.publishing.release_clock import ReleaseClock
from orchestration.publishing.settling import HELD_DAYS

SETTLE_INTERVAL_S = 15 * 60
SETTLE_BATCH = 1000  # publish records a settling sensor's tick reads at most


def release_selection(dataset: PublishedDataset, published: tuple[PublishedDataset, ...]):
    """A dataset's publish and the publishes derived from it (never a raw load or a model)."""
    derived = [d.published_asset_key for d in published if dataset.name in d.derived_from]
    return [dataset.published_asset_key, *derived]


def due_days(
    cursor: dict[str, object], records: list[tuple[int, str, dict]], now: datetime
) -> tuple[list[tuple[str, str]], dict[str, object]]:
    """From a publish's new materializations (storage id, partition, held days), the days
    whose held rows have all settled by `now`, and the cursor after them.

    The cursor keeps the newest storage id seen and the days still waiting, each with the
    moment its last held row settles; a later publish of a day replaces its entry.
    """
    waiting: dict[str, str] = dict(cursor.get("waiting", {}))  # type: ignore[arg-type]
    after = int(cursor.get("after", 0))  # type: ignore[arg-type]
    for storage_id, partition, held in sorted(records):
        after = max(after, storage_id)
        if partition in held:
            waiting[partition] = held[partition]["settles_at"]
        else:
            waiting.pop(partition, None)
    due = sorted((day, at) for day, at in waiting.items() if datetime.fromisoformat(at) <= now)
    for day, _ in due:
        waiting.pop(day)
    return due, {"after": after, "waiting": waiting}


def _before_either_batch_ends(first: list, second: list) -> list:
    """Both batches of records, up to where the first full one ends: the cursor then never
    passes a record a full batch left for the next tick."""
    ends = [batch[-1].storage_id for batch in (first, second) if len(batch) == SETTLE_BATCH]
    last = min(ends) if ends else None
    return [r for r in (*first, *second) if last is None or r.storage_id <= last]


def build_settling_sensor(
    dataset: PublishedDataset, published: tuple[PublishedDataset, ...]
) -> dg.SensorDefinition:
    @dg.sensor(
        name=f"{dataset.name}_settled_rows",
        job=daily_publish_job,
        minimum_interval_seconds=SETTLE_INTERVAL_S,
        default_status=dg.DefaultSensorStatus.RUNNING,
        description=(
            f"Publishes a day of {dataset.title} again once the rows its last publish held "
            f"back ({dataset.release.describe()}) have settled."
        ),
    )
    def settled_rows(
        context: dg.SensorEvaluationContext, release_clock: ReleaseClock
    ) -> dg.SensorResult:
        cursor = json.loads(context.cursor) if context.cursor else {}
        records_filter = dg.AssetRecordsFilter(
            asset_key=dataset.published_asset_key,
            after_storage_id=int(cursor.get("after", 0)) or None,
        )
        instance = context.instance
        materialized = instance.fetch_materializations(
            records_filter, limit=SETTLE_BATCH, ascending=True
        ).records
        # A full refresh (replace_public_dataset) records what it held as an observation.
        observed = instance.fetch_observations(
            records_filter, limit=SETTLE_BATCH, ascending=True
        ).records
        found = _before_either_batch_ends(materialized, observed)
        records = []
        for record in found:
            event = record.asset_materialization or record.asset_observation
            if event is None:
                continue
            entry = event.metadata.get(HELD_DAYS)
            held = getattr(entry, "value", None) or {}
            days = [event.partition] if event.partition else sorted(held)
            records += [(record.storage_id, day, held) for day in days]
        due, after = due_days(cursor, records, release_clock.now())
        requests = [
            dg.RunRequest(
                run_key=f"{dataset.name}:{day}:settled:{at}",
                partition_key=day,
                asset_selection=release_selection(dataset, published),
                tags={"civic/trigger": f"{dataset.name} rows settled"},
            )
            for day, at in due
        ]
        return dg.SensorResult(run_requests=requests, cursor=json.dumps(after))

    return settled_rows
