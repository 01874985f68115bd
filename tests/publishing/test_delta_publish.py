"""Publishing a window sends only what changed since the ledger's last record."""

from __future__ import annotations

from datetime import timedelta

import pytest

from orchestration.partitions import DayWindow
from orchestration.publishing.ledger import LEDGER_TABLE
from orchestration.publishing.plan import stage_delta_plan
from orchestration.publishing.send import publish_window
from tests.publishing.conftest import (
    DATASET,
    DATASET_ID,
    DAY,
    forget_requests,
    mart_row,
    portal_rows,
    writes,
)

WINDOW = DayWindow.for_day(DAY)


def publish(client, mart, window=WINDOW, chunk_size=10_000, run_id="run-1"):
    with mart.connect() as connection:
        return publish_window(
            client,
            connection,
            DATASET,
            window,
            dataset_id=DATASET_ID,
            run_id=run_id,
            chunk_size=chunk_size,
        )


def sent_keys(portal) -> tuple[list[str], list[str]]:
    upserted = [key for entry in writes(portal) for key in entry["upserted_keys"]]
    deleted = [key for entry in writes(portal) for key in entry["deleted_keys"]]
    return sorted(upserted), sorted(deleted)


def test_a_first_publish_creates_every_row_of_the_window(client, mart):
    mart.write([mart_row(n) for n in range(5)])
    result = publish(client, mart)
    assert (result.plan.creates, result.plan.updates, result.plan.deletes) == (5, 0, 0)
    assert sorted(portal_rows(client)) == [f"K{n:05d}-26" for n in range(5)]
    assert portal_rows(client)["K00001-26"]["timecreate"] == "2026-11-02T00:07:00.000"


def test_publishing_an_unchanged_partition_again_sends_zero_rows(client, mart, portal):
    mart.write([mart_row(n) for n in range(5)])
    publish(client, mart)
    forget_requests(portal)
    result = publish(client, mart, run_id="run-2")
    assert result.rows_sent == 0
    assert result.plan.unchanged == 5
    assert writes(portal) == []


def test_only_the_changed_row_is_sent(client, mart, portal):
    mart.write([mart_row(n) for n in range(5)])
    publish(client, mart)
    forget_requests(portal)
    mart.write([mart_row(n, type_="62A" if n == 3 else "21") for n in range(5)])
    result = publish(client, mart)
    assert (result.plan.creates, result.plan.updates, result.plan.deletes) == (0, 1, 0)
    assert sent_keys(portal) == (["K00003-26"], [])
    assert portal_rows(client)["K00003-26"]["type_"] == "62A"


def test_a_row_that_left_the_mart_is_withdrawn_from_the_portal(client, mart, portal):
    mart.write([mart_row(n) for n in range(5)])
    publish(client, mart)
    forget_requests(portal)
    mart.write([mart_row(n) for n in range(5) if n != 2])
    result = publish(client, mart)
    assert result.plan.deletes == 1
    assert sent_keys(portal) == ([], ["K00002-26"])
    assert "K00002-26" not in portal_rows(client)


def test_a_value_that_became_empty_is_emptied_on_the_portal(client, mart):
    mart.write([mart_row(1)])
    publish(client, mart)
    mart.write([mart_row(1, disposition=None)])
    publish(client, mart)
    assert "disposition" not in portal_rows(client)["K00001-26"]


def test_rows_of_other_days_are_left_alone(client, mart, portal):
    next_day = DAY + timedelta(days=1)
    mart.write([mart_row(1), mart_row(2, day=next_day)])
    publish(client, mart, window=DayWindow(DAY, next_day + timedelta(days=1)))
    forget_requests(portal)
    mart.write([mart_row(1)])  # the next day's row is gone, but only today is published
    result = publish(client, mart)
    assert result.rows_sent == 0
    assert set(portal_rows(client)) == {"K00001-26", "K00002-26"}


def test_a_row_that_moved_to_another_day_is_kept_until_that_day_is_published(client, mart):
    next_day = DAY + timedelta(days=1)
    mart.write([mart_row(1)])
    publish(client, mart)
    mart.write([mart_row(1, day=next_day)])
    assert publish(client, mart).plan.deletes == 0
    result = publish(client, mart, window=DayWindow.for_day(next_day))
    assert result.plan.updates == 1
    assert portal_rows(client)["K00001-26"]["timecreate"].startswith(next_day.isoformat())


def test_rows_are_sent_in_chunks_of_the_configured_size(client, mart, portal):
    mart.write([mart_row(n) for n in range(25)])
    result = publish(client, mart, chunk_size=10)
    assert result.chunks == 3
    assert [entry["rows"] for entry in writes(portal)] == [10, 10, 5]


def test_the_ledger_records_each_published_row_with_its_hash_and_run(client, mart):
    mart.write([mart_row(n) for n in range(3)])
    publish(client, mart, run_id="run-7")
    with mart.connect() as connection:
        rows = connection.execute(
            f"select row_id, day, length(content_hash), run_id from {LEDGER_TABLE} order by 1"
        ).fetchall()
    assert rows == [(f"K{n:05d}-26", DAY, 32, "run-7") for n in range(3)]


def test_the_dry_run_counts_the_plan_and_sends_nothing(client, mart, portal):
    mart.write([mart_row(n) for n in range(4)])
    publish(client, mart)
    mart.write(
        [mart_row(n, priority="2A" if n == 0 else "1J") for n in range(1, 4)] + [mart_row(9)]
    )
    forget_requests(portal)
    with mart.connect() as connection:
        plan = stage_delta_plan(connection, DATASET, WINDOW, DATASET_ID)
    assert plan.as_dict() == {
        "rows_in_mart": 4,
        "creates": 1,
        "updates": 0,
        "deletes": 1,
        "unchanged": 3,
        "held": 0,
    }
    assert writes(portal) == []


def test_a_zero_chunk_size_is_refused(client, mart):
    mart.write([mart_row(1)])
    with pytest.raises(ValueError, match="chunk_size"):
        publish(client, mart, chunk_size=0)
