"""A deliberate full refresh replaces the portal's rows and rebuilds the ledger; it never
empties a dataset unless told to."""

from __future__ import annotations

import pytest

from orchestration.partitions import DayWindow
from orchestration.publishing.ledger import ledger_rows
from orchestration.publishing.send import EmptyReplaceRefused, publish_window, replace_dataset
from tests.publishing.conftest import (
    DATASET,
    DATASET_ID,
    DAY,
    forget_requests,
    mart_row,
    portal_rows,
    writes,
)


def replace(client, mart, chunk_size=10_000, allow_empty=False):
    with mart.connect() as connection:
        return replace_dataset(
            client,
            connection,
            DATASET,
            dataset_id=DATASET_ID,
            run_id="refresh",
            chunk_size=chunk_size,
            allow_empty=allow_empty,
        )


def test_a_full_refresh_leaves_exactly_the_mart_on_the_portal(client, mart):
    client.upsert(DATASET_ID, [{"nopd_item": "OLD-1"}, {"nopd_item": "K00001-26", "type_": "x"}])
    mart.write([mart_row(n) for n in range(25)])
    result = replace(client, mart, chunk_size=10)
    assert result.chunks == 3
    published = portal_rows(client)
    assert sorted(published) == [f"K{n:05d}-26" for n in range(25)]
    assert published["K00001-26"]["type_"] == "21"


def test_the_first_chunk_of_a_full_refresh_replaces_and_the_rest_upsert(client, mart, portal):
    mart.write([mart_row(n) for n in range(25)])
    replace(client, mart, chunk_size=10)
    assert [(entry["method"], entry["rows"]) for entry in writes(portal)] == [
        ("PUT", 10),
        ("POST", 10),
        ("POST", 5),
    ]


def test_a_full_refresh_rebuilds_the_ledger_so_the_next_publish_sends_nothing(client, mart, portal):
    mart.write([mart_row(n) for n in range(5)])
    replace(client, mart)
    with mart.connect() as connection:
        assert sorted(ledger_rows(connection, DATASET_ID)) == [f"K{n:05d}-26" for n in range(5)]
    forget_requests(portal)
    with mart.connect() as connection:
        result = publish_window(
            client, connection, DATASET, DayWindow.for_day(DAY), dataset_id=DATASET_ID, run_id="r"
        )
    assert result.rows_sent == 0
    assert writes(portal) == []


def test_a_full_refresh_of_an_empty_mart_is_refused_and_sends_nothing(client, mart, portal):
    mart.write([mart_row(n) for n in range(3)])
    replace(client, mart)
    mart.write([])
    forget_requests(portal)
    with pytest.raises(EmptyReplaceRefused, match="allow_empty: true"):
        replace(client, mart)
    assert writes(portal) == []
    assert sorted(portal_rows(client)) == [f"K{n:05d}-26" for n in range(3)]
    with mart.connect() as connection:
        assert len(ledger_rows(connection, DATASET_ID)) == 3


def test_an_allowed_full_refresh_of_an_empty_mart_empties_the_dataset_and_its_ledger(client, mart):
    mart.write([mart_row(1)])
    replace(client, mart)
    mart.write([])
    replace(client, mart, allow_empty=True)
    assert portal_rows(client) == {}
    with mart.connect() as connection:
        assert ledger_rows(connection, DATASET_ID) == {}
