"""Under `settled` a publish sends a row only once it has been closed for the policy's hours
(city time); the rest are held and counted, never lost, and a withdrawal never waits."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from orchestration.partitions import DayWindow
from orchestration.publishing.send import publish_window, replace_dataset
from orchestration.publishing.settling import settling_hold
from tests.publishing.conftest import DATASET, DATASET_ID, DAY, mart_row, portal_rows

WINDOW = DayWindow.for_day(DAY)
CITY = ZoneInfo("America/Chicago")


def closed_at(number: int) -> datetime:
    """When mart_row(number) closed, as an instant (the mart holds city time)."""
    local = mart_row(number)["timeclosed"]
    return local.replace(tzinfo=CITY).astimezone(UTC)


def publish(client, mart, now: datetime):
    with mart.connect() as connection:
        return publish_window(
            client, connection, DATASET, WINDOW, dataset_id=DATASET_ID, run_id="run",
            hold=settling_hold(DATASET, (DATASET,), now),
        )  # fmt: skip


def test_rows_closed_less_than_36_hours_ago_are_held_and_counted(client, mart):
    mart.write([mart_row(n) for n in range(10)])
    result = publish(client, mart, closed_at(5) + timedelta(hours=36))
    assert sorted(portal_rows(client)) == [f"K{n:05d}-26" for n in range(6)]
    assert (result.plan.creates, result.plan.held) == (6, 4)
    assert result.plan.held_by_day == {DAY: 4}
    assert result.plan.unchanged == 0


def test_held_rows_are_sent_by_a_later_publish_once_settled(client, mart):
    mart.write([mart_row(n) for n in range(10)])
    publish(client, mart, closed_at(5) + timedelta(hours=36))
    later = publish(client, mart, closed_at(9) + timedelta(hours=36))
    assert (later.plan.creates, later.plan.held, later.plan.unchanged) == (4, 0, 6)
    assert len(portal_rows(client)) == 10


def test_a_withdrawal_is_never_held(client, mart):
    mart.write([mart_row(n) for n in range(3)])
    publish(client, mart, closed_at(2) + timedelta(hours=36))
    mart.write([mart_row(n) for n in range(2)])  # call 2 left the public set
    result = publish(client, mart, closed_at(0))  # nothing would be settled now
    assert result.plan.deletes == 1
    assert sorted(portal_rows(client)) == ["K00000-26", "K00001-26"]


def test_a_full_refresh_holds_rows_still_settling(client, mart):
    mart.write([mart_row(n) for n in range(10)])
    with mart.connect() as connection:
        result = replace_dataset(
            client, connection, DATASET, dataset_id=DATASET_ID, run_id="refresh",
            hold=settling_hold(DATASET, (DATASET,), closed_at(5) + timedelta(hours=36)),
        )  # fmt: skip
    assert (result.plan.creates, result.plan.held) == (6, 4)
    assert len(portal_rows(client)) == 6
