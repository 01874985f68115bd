"""The two days a year the clock changes, through the daily job end to end.

On 2022-03-13 New Orleans' clocks sprang forward (02:00 CST became 03:00 CDT: a 23-hour day)
and on 2022-11-06 they fell back (02:00 CDT became 01:00 CST: 01:00-01:59 was lived twice, a
25-hour day). Each day's internal export holds calls that span the change, calls created at
either end of the day, and one on each neighbouring day. The daily job (portal -> raw -> dbt
-> contracts -> publish) must publish every closed call of the day, quarantine none for its
order, and publish response times that are the time that passed (UTC instants: CDT is UTC-5,
CST UTC-6), worked out by hand below for each call, which has a priority of its own so its
response-time group holds it alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pytest

from orchestration.catalog import CALLS_FOR_SERVICE, POLICE_RESPONSE_TIMES
from tests.bad_input.exports import TEMPLATE_ID, Export, fixture_export, platform_serving
from tests.warehouse_builder import query

pytestmark = pytest.mark.integration

SPRING_FORWARD = date(2022, 3, 13)
FALL_BACK = date(2022, 11, 6)


@dataclass(frozen=True)
class Call:
    """A closed call: its local times as HH:MM (day offsets for the creation's and the
    close's dates), and its dispatch delay, travel time and time on scene in minutes, worked
    out by hand."""

    nopd_item: str
    priority: str
    created: str
    dispatched: str
    arrived: str
    closed: str
    minutes: tuple[int, int, int]
    closed_days_later: int = 0
    created_days_later: int = 0

    def row(self, day: date, template: dict[str, str | None]) -> dict[str, str | None]:
        created_on = day + timedelta(days=self.created_days_later)
        closed_on = created_on + timedelta(days=self.closed_days_later)

        def local(on: date, clock: str) -> str:
            return f"{on.isoformat()}T{clock}:00.000"

        return {
            **template,
            "nopd_item": self.nopd_item,
            "priority": self.priority,
            "initialpriority": self.priority,
            "timecreate": local(created_on, self.created),
            "timedispatch": local(created_on, self.dispatched),
            "timearrive": local(created_on, self.arrived),
            "timeclosed": local(closed_on, self.closed),
            ":updated_at": f"{(closed_on + timedelta(days=1)).isoformat()}T12:00:00.000Z",
        }


# Created in the first pass of 01:00-01:59 (CDT): each later time that reads earlier on the
# wall clock happened after the clock went back. Six calls whose wall clock runs backwards:
# more than the quality gate's floor of 5 out-of-order rows, were it to count them.
FALL_BACK_CALLS = (
    # Closed 01:10 CST: 12 minutes after an arrival at 01:58 CDT.
    Call("K1000122", "0A", "01:50", "01:52", "01:58", "01:10", (2, 6, 12)),
    # Dispatched 01:05 CST: 15 minutes after creation.
    Call("K1000222", "0B", "01:50", "01:05", "01:20", "01:40", (15, 15, 20)),
    # Arrived 01:05 CST, ten minutes after a dispatch at 01:55 CDT.
    Call("K1000322", "0C", "01:45", "01:55", "01:05", "01:35", (10, 10, 30)),
    # Closed 01:20 CST, after an arrival at 01:50 CDT.
    Call("K1000422", "1A", "01:30", "01:40", "01:50", "01:20", (10, 10, 30)),
    # Dispatched 01:02 CST, closed 02:10 CST.
    Call("K1000522", "1B", "01:55", "01:02", "01:10", "02:10", (7, 8, 60)),
    # Arrived 01:00 CST, the moment the clock went back.
    Call("K1000622", "1C", "01:40", "01:45", "01:00", "01:25", (5, 15, 25)),
    # On scene from 00:55 CDT to 02:30 CST: 2 hours 35 minutes.
    Call("K1000722", "2A", "00:30", "00:40", "00:55", "02:30", (10, 15, 155)),
)
SPRING_FORWARD_CALLS = (
    # Created 01:40 CST, dispatched 03:10 CDT: 30 minutes.
    Call("C1000122", "0A", "01:40", "03:10", "03:20", "03:50", (30, 10, 30)),
    # Arrived 03:01 CDT, two minutes after a dispatch at 01:59 CST.
    Call("C1000222", "0B", "01:59", "01:59", "03:01", "03:30", (0, 2, 29)),
    # On scene from 01:15 CST to 04:15 CDT: 2 hours.
    Call("C1000322", "0C", "00:30", "00:45", "01:15", "04:15", (15, 30, 120)),
    # Dispatched at 02:30, a time no clock showed: read as 02:30 CST, the instant 03:30 CDT.
    Call("C1000422", "1A", "01:40", "02:30", "03:40", "04:00", (50, 10, 20)),
)
DST_CALLS = {SPRING_FORWARD: SPRING_FORWARD_CALLS, FALL_BACK: FALL_BACK_CALLS}
# The marts the day's calls reach (the other sources have no rows on the day).
TIMED_MARTS = {CALLS_FOR_SERVICE.published.mart_asset_key, POLICE_RESPONSE_TIMES.mart_asset_key}

# The day's first and last minute of the wall clock, and one call each side of the day.
FIRST_MINUTE = Call("X1000122", "2B", "00:00", "00:05", "00:15", "00:45", (5, 10, 30))
LAST_MINUTE = Call(
    "X1000222", "2C", "23:59", "23:59", "23:59", "00:30", (0, 0, 31), closed_days_later=1
)
DAY_BEFORE = Call(
    "X1000322",
    "3A",
    "23:59",
    "23:59",
    "23:59",
    "00:30",
    (0, 0, 31),
    closed_days_later=1,
    created_days_later=-1,
)
DAY_AFTER = Call(
    "X1000422", "3B", "00:00", "00:05", "00:15", "00:45", (5, 10, 30), created_days_later=1
)


def seconds(minutes: tuple[int, ...]) -> tuple[float, ...]:
    return tuple(60.0 * m for m in minutes)


def calls_of(day: date) -> tuple[Call, ...]:
    """The calls created on `day` by the wall clock."""
    return (*DST_CALLS[day], FIRST_MINUTE, LAST_MINUTE)


@dataclass
class DayRun:
    day: date
    failed_checks: list[str]
    published: dict[str, dict]  # nopd_item -> published call
    fates: dict[str, tuple[str, str | None]]  # nopd_item -> (fate, reason) in the day's audit
    response_times: dict[str, tuple[float, ...]]  # priority -> the three medians (s)


@pytest.fixture(scope="module", params=[SPRING_FORWARD, FALL_BACK], ids=["spring", "fall"])
def run(request, tmp_path_factory) -> DayRun:
    """The day's internal export through the daily job, once per day for the module."""
    day = request.param
    calls = fixture_export("calls_for_service")
    template = next(r for r in calls.rows if r["nopd_item"] == TEMPLATE_ID["calls_for_service"])
    rows = [call.row(day, template) for call in (*calls_of(day), DAY_BEFORE, DAY_AFTER)]
    files = {
        "calls_for_service": Export(calls.header, tuple(rows)),
        # Their fixture rows are of another day: the sources are there, with nothing this day.
        "use_of_force": fixture_export("use_of_force"),
        "service_requests_311": fixture_export("service_requests_311"),
    }
    with platform_serving(tmp_path_factory.mktemp(f"dst_{day.isoformat()}"), files) as platform:
        result = platform.run_daily_job(day)
        failed = [
            evaluation.check_name
            for evaluation in result.get_asset_check_evaluations()
            if not evaluation.passed
            and evaluation.asset_key in TIMED_MARTS
            and evaluation.check_name != "newest_day_is_fresh"  # a 2022 day is not fresh
        ]
        published = {row["nopd_item"]: row for row in platform.published_rows()}
        fates = {
            nopd_item: (fate, reason)
            for nopd_item, fate, reason in query(
                platform.warehouse,
                f"select nopd_item, fate, fate_reason from {CALLS_FOR_SERVICE.row_fates_table} "
                "where partition_date = ?",
                [day],
            )
        }
        response_times = {
            row["priority"]: tuple(
                float(row[f"{name}_median_s"])
                for name in ("dispatch_delay", "travel_time", "time_on_scene")
            )
            for row in platform.published_rows(POLICE_RESPONSE_TIMES.public_dataset_id)
        }
    return DayRun(day, failed, published, fates, response_times)


def test_the_calls_and_response_times_pass_every_contract_check(run):
    assert run.failed_checks == []


def test_every_closed_call_created_on_the_day_is_published(run):
    assert set(run.published) == {call.nopd_item for call in calls_of(run.day)}


def test_no_call_of_the_day_is_quarantined(run):
    assert run.fates == {call.nopd_item: ("published", None) for call in calls_of(run.day)}


def test_calls_of_the_neighbouring_days_are_not_in_the_days_partition(run):
    assert not {DAY_BEFORE.nopd_item, DAY_AFTER.nopd_item} & set(run.fates)


def test_published_times_are_the_local_times_as_exported(run):
    for call in DST_CALLS[run.day]:
        exported = call.row(run.day, {})
        for field in ("timecreate", "timedispatch", "timearrive", "timeclosed"):
            assert run.published[call.nopd_item][field] == exported[field], call.nopd_item


def test_response_times_across_the_change_are_the_time_that_passed(run):
    for call in DST_CALLS[run.day]:
        assert run.response_times[call.priority] == seconds(call.minutes), call.nopd_item


def test_response_times_at_the_days_ends_are_the_time_that_passed(run):
    for call in (FIRST_MINUTE, LAST_MINUTE):
        assert run.response_times[call.priority] == seconds(call.minutes), call.nopd_item
