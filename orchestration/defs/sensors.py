"""Sensors that follow late changes at the source into the public datasets.

The daily schedule publishes yesterday. Afterwards the police reclassify calls for up to 36
hours after closing, calls close late, and rows turn out to be juvenile cases, duplicates or
voids, on days of any age. One sensor per source asks the source portal which local days
changed (see orchestration.ingest.change_detection) and requests a run of the daily job for exactly
those partitions, selecting the source's raw asset and everything downstream of it (its
models, checks, mart and published datasets), nothing of the other sources.

A day is skipped when its raw partition was already loaded after the change (the schedule's
own run, or an earlier sensor run): the raw materialization records the newest
`:updated_at` it loaded, and the row count it loaded. A day never loaded is skipped too: it
is not a late change but a day the daily schedule (or a backfill) has still to bring, and a
run of one source's assets would not build the rule tables a first day needs.

The runs they request follow the dataset's release policy like the schedule's: under
`settled` the publish holds rows still settling (the settling sensor publishes them later),
under `approved` a changed day's new fingerprint makes it pending again until a steward
approves it (orchestration/defs/release.py).
"""

from __future__ import annotations

from datetime import date

import dagster as dg

from orchestration.catalog import SOURCES, Source
from orchestration.defs.schedules import daily_publish_job
from orchestration.ingest.change_detection import SourceChanges, SourceCursor, scan_source_changes
from orchestration.ingest.loader import NEWEST_ROW_UPDATED_AT
from orchestration.partitions import FIRST_DAY, daily_partitions
from orchestration.socrata.resource import SocrataResource

DEFAULT_INTERVAL_S = 15 * 60


def _latest_raw_load(
    instance: dg.DagsterInstance, source: Source, day: date
) -> dict[str, object] | None:
    """The metadata of the day's latest raw load, None when the day was never loaded."""
    records = instance.fetch_materializations(
        dg.AssetRecordsFilter(asset_key=source.raw_asset_key, asset_partitions=[day.isoformat()]),
        limit=1,
    ).records
    if not records:
        return None
    materialization = records[0].asset_materialization
    return dict(materialization.metadata) if materialization else {}


def _loaded_after_change(metadata: dict[str, object], day: date, changes: SourceChanges) -> bool:
    """True when the day's latest raw load (its metadata) already holds the change."""

    def value(key: str) -> object:
        entry = metadata.get(key)
        return getattr(entry, "value", entry)

    changed_at = changes.updated_days.get(day)
    if changed_at is not None:
        loaded_up_to = value(NEWEST_ROW_UPDATED_AT)
        if not isinstance(loaded_up_to, str) or loaded_up_to < changed_at:
            return False
    recount = changes.recounted_days.get(day)
    return recount is None or value("dagster/row_count") == recount


def change_key(source: Source, day: date, changes: SourceChanges) -> str:
    """The run key of a day's change: the same change seen twice (the watermark's overlap
    reads recent rows again) gets the same key, and Dagster launches its run once."""
    stamp = changes.updated_days.get(day)
    change = f"updated-{stamp}" if stamp else f"count-{changes.recounted_days.get(day)}"
    return f"{source.name}:{day.isoformat()}:{change}"


def build_source_change_sensor(
    source: Source, interval_s: int = DEFAULT_INTERVAL_S
) -> dg.SensorDefinition:
    """The sensor asks the source portal again `interval_s` after its last look ends."""

    @dg.sensor(
        name=f"{source.name}_source_changes",
        job=daily_publish_job,
        minimum_interval_seconds=interval_s,
        default_status=dg.DefaultSensorStatus.RUNNING,
        description=(
            f"Requests a run of {source.title}, raw to published, for each local day already "
            f"loaded whose rows changed at the source ({source.internal_dataset_id}) since the "
            "last look, however old the day."
        ),
    )
    def source_changes(
        context: dg.SensorEvaluationContext, source_portal: SocrataResource
    ) -> dg.SensorResult:
        cursor = SourceCursor.from_json(context.cursor)
        dataset_id = source_portal.dataset_id(source.name, source.internal_dataset_id)
        with source_portal.open() as client:
            changes = scan_source_changes(client, source, dataset_id, cursor)
        if cursor.watermark is None:
            context.log.info(
                f"{source.name}: first look; watching changes after {changes.cursor.watermark}"
            )
            return dg.SensorResult(cursor=changes.cursor.to_json())

        selection = (
            dg.AssetSelection.assets(source.raw_asset_key)
            .downstream()
            .resolve(context.repository_def.asset_graph)
        )
        last_day = daily_partitions.get_last_partition_key()
        requests = []
        for day in changes.days:
            key = day.isoformat()
            if not FIRST_DAY <= key <= last_day:
                context.log.info(f"{source.name}: {key} changed but is not a partition yet")
                continue
            loaded = _latest_raw_load(context.instance, source, day)
            if loaded is None:
                # Not a late change: the day was never published. The daily schedule (or a
                # backfill) brings it whole, with the rule tables this run would not build.
                context.log.info(f"{source.name}: {key} changed but was never loaded yet")
                continue
            if _loaded_after_change(loaded, day, changes):
                continue
            requests.append(
                dg.RunRequest(
                    run_key=change_key(source, day, changes),
                    partition_key=key,
                    asset_selection=sorted(selection),
                    tags={"civic/trigger": f"{source.name} source changes"},
                )
            )
        context.log.info(
            f"{source.name}: {changes.rows_scanned:,} changed rows on {len(changes.days)} days "
            f"({changes.undated_rows} without a {source.day_field}); "
            f"requesting {len(requests)} runs"
        )
        return dg.SensorResult(run_requests=requests, cursor=changes.cursor.to_json())

    return source_changes


def build_change_sensors(
    sources: tuple[Source, ...] = SOURCES, interval_s: int = DEFAULT_INTERVAL_S
) -> list[dg.SensorDefinition]:
    return [build_source_change_sensor(source, interval_s) for source in sources]
