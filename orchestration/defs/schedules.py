"""The daily job and its schedule: every source, raw to published, for yesterday."""

from __future__ import annotations

import dagster as dg

from orchestration.partitions import CITY_TIMEZONE, daily_partitions

daily_publish_job = dg.define_asset_job(
    name="daily_publish",
    selection=dg.AssetSelection.all() - dg.AssetSelection.groups("sources"),
    partitions_def=daily_partitions,
    description="Ingest, transform, check and publish every source for one local day.",
)

# A daily partitions definition's last partition is yesterday; the schedule asks for it
# at 03:00 city time, after the CAD has closed most of the day's calls.
daily_publish_schedule = dg.build_schedule_from_partitioned_job(
    daily_publish_job,
    hour_of_day=3,
    minute_of_hour=0,
    default_status=dg.DefaultScheduleStatus.RUNNING,
)

__all__ = ["CITY_TIMEZONE", "daily_publish_job", "daily_publish_schedule"]
