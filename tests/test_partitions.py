"""A partition is a local day, however long the clock makes it.

The days the clocks change are the test: 2022-03-13 (spring forward, 02:00 CST becomes 03:00
CDT) lasts 23 hours and 2022-11-06 (fall back, 02:00 CDT becomes 01:00 CST) 25. Calls are
assigned to a partition by the local date of their floating `timecreate`, so every call
created from 00:00 to 23:59 on the wall clock, both passes of the repeated hour included,
belongs to that day's partition and to no other (the load selects a day's rows by the text
of their local time: tests/pipeline/test_dst_days.py loads calls at both ends of each day).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from orchestration.partitions import CITY_TIMEZONE, DayWindow, daily_partitions

CITY = ZoneInfo(CITY_TIMEZONE)
SPRING_FORWARD = date(2022, 3, 13)
FALL_BACK = date(2022, 11, 6)


def partition_window(day: date):
    return daily_partitions.time_window_for_partition_key(day.isoformat())


def elapsed(start: datetime, end: datetime) -> timedelta:
    """Time that passed between two aware datetimes (Python subtracts same-zone wall clocks)."""
    return end.astimezone(UTC) - start.astimezone(UTC)


def instants_of_local_minutes(day: date) -> set[datetime]:
    """Every instant a wall clock in the city shows as a minute of `day`: a minute of the
    repeated hour twice (fold 0 and 1), none of the skipped hour."""
    instants = set()
    for minute in range(24 * 60):
        wall = datetime.combine(day, datetime.min.time()) + timedelta(minutes=minute)
        for fold in (0, 1):
            instant = wall.replace(tzinfo=CITY, fold=fold).astimezone(UTC)
            if instant.astimezone(CITY).replace(tzinfo=None) == wall:  # shown on a clock
                instants.add(instant)
    return instants


def test_the_spring_forward_partition_lasts_23_hours():
    window = partition_window(SPRING_FORWARD)
    assert elapsed(window.start, window.end) == timedelta(hours=23)


def test_the_fall_back_partition_lasts_25_hours():
    window = partition_window(FALL_BACK)
    assert elapsed(window.start, window.end) == timedelta(hours=25)


@pytest.mark.parametrize(("day", "hours"), [(SPRING_FORWARD, 23), (FALL_BACK, 25)])
def test_every_minute_a_city_clock_shows_on_the_day_is_inside_its_partition(day, hours):
    window = partition_window(day)
    instants = instants_of_local_minutes(day)
    assert len(instants) == hours * 60
    assert all(window.start <= instant < window.end for instant in instants)


@pytest.mark.parametrize("day", [SPRING_FORWARD, FALL_BACK])
def test_the_partition_runs_over_its_local_date_alone(day):
    assert DayWindow.from_time_window(partition_window(day)) == DayWindow.for_day(day)
