"""The daily schedule asks for yesterday's partition, at the configured hour in the city."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import dagster as dg
import pytest

from orchestration.defs.schedules import build_daily_schedule
from orchestration.partitions import CITY_TIMEZONE

CITY = ZoneInfo(CITY_TIMEZONE)


def tick(schedule: dg.ScheduleDefinition, moment: datetime) -> list[dg.RunRequest]:
    context = dg.build_schedule_context(scheduled_execution_time=moment)
    return list(schedule.evaluate_tick(context).run_requests or [])


def test_a_tick_requests_exactly_yesterdays_partition():
    [request] = tick(build_daily_schedule(), datetime(2026, 11, 3, 3, 0, tzinfo=CITY))
    assert request.partition_key == "2026-11-02"
    assert request.tags["dagster/partition"] == "2026-11-02"


def test_a_tick_just_after_midnight_in_the_city_still_asks_for_the_local_yesterday():
    # 00:30 in New Orleans is already 06:30 UTC of the same day.
    [request] = tick(build_daily_schedule(0), datetime(2026, 3, 9, 0, 30, tzinfo=CITY))
    assert request.partition_key == "2026-03-08"


def test_the_hour_is_configurable_and_in_city_time():
    schedule = build_daily_schedule(5)
    assert schedule.cron_schedule == "0 5 * * *"
    assert schedule.execution_timezone == CITY_TIMEZONE


def test_the_minute_is_configurable_too():
    assert build_daily_schedule(5, 30).cron_schedule == "30 5 * * *"


def test_an_hour_outside_the_day_is_refused():
    with pytest.raises(ValueError, match=r"0\.\.23"):
        build_daily_schedule(24)
