"""Freshness of each public dataset: how old its newest published local day is.

The public cares about the data's day, not about when a run last happened: a rerun of an
old day leaves the dataset as stale as before. Each published dataset gets a check reading
the newest local day whose publish succeeded (a partition, so a day without use-of-force
incidents still counts as published): WARN past 36 hours after that day ended (in city
time), ERROR past 60. The checks run after each daily publish and every hour on
their own schedule, so a missed night is noticed before the next one.
"""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import dagster as dg

from orchestration.catalog import PublishedDataset
from orchestration.partitions import CITY_TIMEZONE

WARN_AFTER = timedelta(hours=36)
FAIL_AFTER = timedelta(hours=60)


def freshness(newest_day: date | None, now: datetime) -> tuple[bool, dg.AssetCheckSeverity, float]:
    """(passed, severity, age in hours) of a dataset whose newest published day is given."""
    if newest_day is None:
        return False, dg.AssetCheckSeverity.ERROR, float("inf")
    city = ZoneInfo(CITY_TIMEZONE)
    day_ended = datetime.combine(newest_day + timedelta(days=1), time(), tzinfo=city)
    age = now.astimezone(city) - day_ended
    hours = round(age.total_seconds() / 3600, 1)
    if age > FAIL_AFTER:
        return False, dg.AssetCheckSeverity.ERROR, hours
    return age <= WARN_AFTER, dg.AssetCheckSeverity.WARN, hours


def build_freshness_check(dataset: PublishedDataset) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=dataset.published_asset_key,
        name="newest_day_is_fresh",
        description=(
            f"The newest day of {dataset.title} on the portal ended at most 36 hours ago "
            "(warns), 60 hours (fails)."
        ),
    )
    def newest_day_is_fresh(context: dg.AssetCheckExecutionContext) -> dg.AssetCheckResult:
        published = context.instance.get_materialized_partitions(dataset.published_asset_key)
        newest = date.fromisoformat(max(published)) if published else None
        passed, severity, hours = freshness(newest, datetime.now(ZoneInfo(CITY_TIMEZONE)))
        return dg.AssetCheckResult(
            passed=passed,
            severity=severity,
            metadata={
                "newest_published_day": newest.isoformat() if newest else "none",
                "age_hours": hours,
                "warn_after_hours": WARN_AFTER.total_seconds() / 3600,
                "fail_after_hours": FAIL_AFTER.total_seconds() / 3600,
            },
        )

    return newest_day_is_fresh


def build_freshness_schedule(
    checks: list[dg.AssetChecksDefinition],
) -> tuple[object, dg.ScheduleDefinition]:
    job = dg.define_asset_job(
        "freshness_checks",
        selection=dg.AssetSelection.checks(*checks),
        description="Every public dataset's freshness and missing-day checks, on their own.",
    )
    schedule = dg.ScheduleDefinition(
        job=job,
        cron_schedule="15 * * * *",
        execution_timezone=CITY_TIMEZONE,
        default_status=dg.DefaultScheduleStatus.RUNNING,
    )
    return job, schedule
