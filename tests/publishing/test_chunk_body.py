"""A chunk's body, rendered in the warehouse: every public column of an upsert, deletes by key."""

from __future__ import annotations

import json

from orchestration.partitions import DayWindow
from orchestration.publishing.ledger import LEDGER_TABLE, ensure_ledger
from orchestration.publishing.plan import plan_body, stage_delta_plan
from tests.publishing.conftest import DATASET, DATASET_ID, DAY, mart_row

WINDOW = DayWindow.for_day(DAY)


def staged(mart, rows, withdrawn=()):
    """A delta plan of the window: `rows` to create, `withdrawn` keys to delete."""
    mart.write(rows)
    connection = mart.connect()
    ensure_ledger(connection)
    for key in withdrawn:
        connection.execute(
            f"insert into {LEDGER_TABLE} values (?, ?, ?, 'hash', now()::timestamp, 'run-0')",
            [DATASET_ID, key, DAY],
        )
    plan = stage_delta_plan(connection, DATASET, WINDOW, DATASET_ID)
    return connection, plan


def test_an_upsert_carries_every_public_column_rendered_as_the_portal_stores_it(mart):
    connection, plan = staged(mart, [mart_row(1, typetext='SAYS "HI" \\ É\n')])
    (row,) = json.loads(plan_body(connection, DATASET, 1, plan.rows_to_send))
    assert list(row) == list(DATASET.public_field_names)
    assert row["nopd_item"] == "K00001-26"
    assert row["typetext"] == 'SAYS "HI" \\ É\n'
    assert row["mapx"] == "3680001.0"
    assert row["timecreate"] == "2026-11-02T00:07:00.000"
    assert row["timedispatch"] is None


def test_a_withdrawn_row_is_sent_as_its_key_and_deleted_true(mart):
    connection, plan = staged(mart, [mart_row(1)], withdrawn=["K00099-26"])
    rows = json.loads(plan_body(connection, DATASET, 1, plan.rows_to_send))
    assert rows[-1] == {"nopd_item": "K00099-26", ":deleted": True}


def test_a_chunk_holds_only_its_rows_in_plan_order(mart):
    connection, _ = staged(mart, [mart_row(n) for n in range(5)])
    rows = json.loads(plan_body(connection, DATASET, 2, 3))
    assert [row["nopd_item"] for row in rows] == ["K00001-26", "K00002-26"]
    assert plan_body(connection, DATASET, 6, 5) == b"[]"
