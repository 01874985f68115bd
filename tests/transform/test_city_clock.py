"""The city's clock: floating times read as America/Chicago instants, in the call's own order.

One dbt build over hand-written calls on the two days the clock changes in 2022: the
spring-forward Sunday (2022-03-13, 02:00 CST becomes 03:00 CDT) and the fall-back Sunday
(2022-11-06, 02:00 CDT becomes 01:00 CST, so 01:00-01:59 is lived twice). Each call exercises
one case of the rule in dbt_project/macros/city_clock.sql. UTC instants: CDT is UTC-5, CST UTC-6.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from tests.warehouse_builder import dbt_build, query, raw_row, write_raw_rows

pytestmark = pytest.mark.integration  # builds a warehouse with dbt: not in make test-fast

SPRING_FORWARD = date(2022, 3, 13)
FALL_BACK = date(2022, 11, 6)


def call(nopd_item: str, day: date, created: str, dispatched, arrived, closed, **fields):
    """A closed call of `day`, its times given as local HH:MM (None: not recorded)."""

    def local(clock: str | None) -> str | None:
        return None if clock is None else f"{day.isoformat()}T{clock}:00.000"

    return raw_row(
        nopd_item,
        updated_at=f"{(day + timedelta(days=1)).isoformat()}T12:00:00.000Z",
        timecreate=local(created),
        timedispatch=local(dispatched),
        timearrive=local(arrived),
        timeclosed=local(closed),
        **fields,
    )


FALL_BACK_CALLS = [
    # Created 01:50 CDT, closed 01:10 CST: twenty minutes later, not forty before.
    call("K0000122", FALL_BACK, "01:50", "01:52", "01:58", "01:10", priority="0A"),
    # Created 01:50 CDT, dispatched 01:05 CST, arrived 01:20 CST, closed 01:40 CST.
    call("K0000222", FALL_BACK, "01:50", "01:05", "01:20", "01:40", priority="0B"),
    # Self-initiated: arrival equals creation, dispatch entered five minutes later.
    call("K0000322", FALL_BACK, "01:00", "01:05", "01:00", "01:30", priority="0C"),
    # In order on the wall clock: every time keeps its first occurrence.
    call("K0000422", FALL_BACK, "00:50", "01:10", "01:20", "01:40", priority="1A"),
    # Created 01:50 CDT, closed at 02:05 CST: 75 minutes.
    call("K0000522", FALL_BACK, "01:50", "01:55", None, "02:05", priority="1B"),
    # Dispatch at 00:40, before a creation at 01:50 however the repeated hour is read.
    call("K0000622", FALL_BACK, "01:50", "00:40", None, "02:30", priority="1C"),
    # Arrived 01:20 CST, half an hour after a dispatch at 01:50 CDT (not at creation, 01:10).
    call("K0000722", FALL_BACK, "01:10", "01:50", "01:20", "01:40", priority="2C"),
    # Closed 01:20 CST, after a dispatch at 01:50 CDT; no arrival recorded.
    call("K0000822", FALL_BACK, "01:10", "01:50", None, "01:20", priority="3A"),
]
SPRING_FORWARD_CALLS = [
    # Created 01:40 CST, dispatched 03:10 CDT: 30 minutes, the hour between never lived.
    call("C0000122", SPRING_FORWARD, "01:40", "03:10", "03:15", "03:45", priority="2A"),
    # Dispatched at 02:30, a time no clock showed: read with the standard offset, 08:30 UTC.
    call("C0000222", SPRING_FORWARD, "01:40", "02:30", None, "03:45", priority="2B"),
]


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    path = tmp_path_factory.mktemp("city_clock") / "warehouse.duckdb"
    write_raw_rows(path, SPRING_FORWARD_CALLS, SPRING_FORWARD)
    write_raw_rows(path, FALL_BACK_CALLS, FALL_BACK)
    result = dbt_build(path, SPRING_FORWARD, FALL_BACK + timedelta(days=1))
    assert result.returncode == 0, result.stdout[-4000:]
    return path


def instants(warehouse, nopd_item: str) -> tuple[datetime | None, ...]:
    """The call's created, dispatched, arrived and closed instants (UTC) as staging reads them."""
    return query(
        warehouse,
        "select created_at_utc, dispatched_at_utc, arrived_at_utc, closed_at_utc "
        "from staging.stg_calls_for_service where nopd_item = ?",
        [nopd_item],
    )[0]


def utc(day: date, clock: str) -> datetime:
    return datetime.fromisoformat(f"{day.isoformat()}T{clock}")


def fate(warehouse, nopd_item: str) -> tuple[str, str | None]:
    return query(
        warehouse,
        "select fate, fate_reason from audit.audit_calls_for_service_row_fates where nopd_item = ?",
        [nopd_item],
    )[0]


def response_times(warehouse, priority: str) -> tuple:
    """Median dispatch delay, travel time and time on scene (s) of the call of `priority`."""
    return query(
        warehouse,
        "select dispatch_delay_median_s, travel_time_median_s, time_on_scene_median_s "
        "from marts.police_response_times where priority = ?",
        [priority],
    )[0]


def test_a_close_that_reads_earlier_in_the_repeated_hour_is_its_second_occurrence(warehouse):
    created, _, arrived, closed = instants(warehouse, "K0000122")
    assert created == utc(FALL_BACK, "06:50")  # 01:50 CDT
    assert closed == utc(FALL_BACK, "07:10")  # 01:10 CST
    assert fate(warehouse, "K0000122") == ("published", None)
    assert response_times(warehouse, "0A")[2] == (closed - arrived).total_seconds() == 12 * 60


def test_each_later_time_that_reads_earlier_than_creation_is_read_after_the_clock_went_back(
    warehouse,
):
    assert instants(warehouse, "K0000222") == (
        utc(FALL_BACK, "06:50"),
        utc(FALL_BACK, "07:05"),
        utc(FALL_BACK, "07:20"),
        utc(FALL_BACK, "07:40"),
    )
    assert fate(warehouse, "K0000222") == ("published", None)
    assert response_times(warehouse, "0B") == (15 * 60, 15 * 60, 20 * 60)


def test_an_arrival_equal_to_creation_before_its_dispatch_keeps_creations_reading(warehouse):
    created, dispatched, arrived, closed = instants(warehouse, "K0000322")
    assert arrived == created == utc(FALL_BACK, "06:00")
    assert dispatched == utc(FALL_BACK, "06:05")
    assert closed == utc(FALL_BACK, "06:30")


def test_an_arrival_that_reads_before_its_dispatch_is_read_after_the_clock_went_back(warehouse):
    _, dispatched, arrived, closed = instants(warehouse, "K0000722")
    assert dispatched == utc(FALL_BACK, "06:50")  # 01:50 CDT
    assert arrived == utc(FALL_BACK, "07:20")  # 01:20 CST
    assert closed == utc(FALL_BACK, "07:40")  # 01:40 CST
    assert response_times(warehouse, "2C")[1:] == (30 * 60, 20 * 60)


def test_a_close_that_reads_before_its_dispatch_is_read_after_the_clock_went_back(warehouse):
    _, dispatched, _, closed = instants(warehouse, "K0000822")
    assert closed - dispatched == timedelta(minutes=30)  # 01:50 CDT to 01:20 CST


def test_times_in_order_on_the_wall_clock_keep_their_first_occurrence(warehouse):
    assert instants(warehouse, "K0000422") == (
        utc(FALL_BACK, "05:50"),
        utc(FALL_BACK, "06:10"),
        utc(FALL_BACK, "06:20"),
        utc(FALL_BACK, "06:40"),
    )


def test_a_duration_across_the_fall_back_counts_the_hour_lived_twice(warehouse):
    created, _, _, closed = instants(warehouse, "K0000522")
    assert closed - created == timedelta(minutes=75)


def test_an_order_no_reading_of_the_repeated_hour_restores_is_still_quarantined(warehouse):
    assert fate(warehouse, "K0000622") == ("quarantined", "timedispatch before timecreate")


def test_a_duration_across_the_spring_forward_skips_the_hour_never_lived(warehouse):
    created, dispatched, _, _ = instants(warehouse, "C0000122")
    assert dispatched - created == timedelta(minutes=30)
    assert fate(warehouse, "C0000122") == ("published", None)
    assert response_times(warehouse, "2A")[0] == 30 * 60


def test_a_time_in_the_skipped_hour_is_read_with_the_offset_before_the_change(warehouse):
    created, dispatched, _, _ = instants(warehouse, "C0000222")
    assert created == utc(SPRING_FORWARD, "07:40")  # 01:40 CST
    assert dispatched == utc(SPRING_FORWARD, "08:30")  # "02:30" read as CST: 03:30 CDT
    assert fate(warehouse, "C0000222") == ("published", None)
    assert response_times(warehouse, "2B")[0] == 50 * 60
