"""The daily job and its schedule: every source, raw to published, for yesterday."""

from __future__ import annotations

import dagster as dg

from orchestration.partitions import CITY_TIMEZONE, daily_partitions

DEFAULT_PUBLISH_HOUR = 3

daily_publish_job = dg.define_asset_job(
    name="daily_publish",
    selection=dg.AssetSelection.all() - dg.AssetSelection.groups("sources"),
    partitions_def=daily_partitions,
    description="Ingest, transform, check and publish every source for one local day.",
    # Every step holds the one DuckDB file, so steps run one after another anyway; in one
    # process they skip a Python start and the definitions' load each (seconds a step).
    executor_def=dg.in_process_executor,
)


def build_daily_schedule(
    hour: int = DEFAULT_PUBLISH_HOUR, minute: int = 0
) -> dg.ScheduleDefinition:
    """Yesterday's partition at `hour`:`minute` city time (03:00 by default, after the CAD
    has closed most of the day's calls). A daily partitions definition's last partition is
    yesterday, so each tick asks for exactly that day, tagged with its partition key.

    Release policies need no other day here: rows a `settled` dataset holds are published by
    the settling sensor when they settle, whatever their day, and an `approved` day by the
    approval's own run (orchestration/defs/release.py)."""
    if not 0 <= hour <= 23:
        raise ValueError(f"the daily publish hour must be 0..23, got {hour}")
    if not 0 <= minute <= 59:
        raise ValueError(f"the daily publish minute must be 0..59, got {minute}")
    return dg.build_schedule_from_partitioned_job(
        daily_publish_job,
        hour_of_day=hour,
        minute_of_hour=minute,
        default_status=dg.DefaultScheduleStatus.RUNNING,
    )


__all__ = ["CITY_TIMEZONE", "build_daily_schedule", "daily_partitions", "daily_publish_job"]
