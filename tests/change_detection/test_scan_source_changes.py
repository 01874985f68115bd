"""Finding the local days whose source rows changed, by `:updated_at` and per-day counts."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import date, timedelta

import pytest

from orchestration.catalog import CALLS_FOR_SERVICE
from orchestration.ingest.change_detection import SourceCursor, day_counts, scan_source_changes
from orchestration.socrata.client import SocrataClient
from tests.public_datasets import seed_dataset
from tooling.local_portal.server import serve_in_thread

SOURCE = CALLS_FOR_SERVICE
DATASET_ID = SOURCE.internal_dataset_id


def call(item: str, day: str, kind: str = "21") -> dict[str, str]:
    return {"nopd_item": item, "type": kind, "timecreate": f"{day}T10:00:00.000"}


@pytest.fixture
def client(tmp_path) -> Iterator[SocrataClient]:
    with serve_in_thread(tmp_path) as portal, SocrataClient(f"{portal.host}:{portal.port}") as c:
        seed_dataset(
            portal.url,
            DATASET_ID,
            [("nopd_item", "text"), ("type", "text"), ("timecreate", "calendar_date")],
            "nopd_item",
        )
        c.upsert(DATASET_ID, [call("A1", "2026-10-01"), call("A2", "2026-10-01")])
        c.upsert(DATASET_ID, [call("B1", "2026-11-01"), call("C1", "2026-11-02")])
        yield c


def look(client: SocrataClient, cursor: SourceCursor, overlap=timedelta(0), **kwargs):
    time.sleep(0.005)  # a later write gets a later :updated_at
    return scan_source_changes(client, SOURCE, DATASET_ID, cursor, overlap=overlap, **kwargs)


def sid_of(client: SocrataClient, item: str) -> str:
    return client.get(DATASET_ID, select=":id", where=f"nopd_item = '{item}'")[0][":id"]


def test_the_first_look_sets_the_watermark_and_counts_and_requests_nothing(client):
    changes = look(client, SourceCursor())
    assert changes.days == []
    assert changes.cursor.watermark is not None
    assert changes.cursor.day_counts == {"2026-10-01": 2, "2026-11-01": 1, "2026-11-02": 1}


def test_nothing_changed_means_no_day(client):
    start = look(client, SourceCursor()).cursor
    assert look(client, start).days == []


def test_a_changed_old_row_names_its_day_however_old(client):
    start = look(client, SourceCursor()).cursor
    client.upsert(DATASET_ID, [{":id": sid_of(client, "A2"), "type": "62A"}])
    changes = look(client, start)
    assert changes.days == [date(2026, 10, 1)]
    assert changes.updated_days[date(2026, 10, 1)] == changes.cursor.watermark


def test_a_row_deleted_at_the_source_names_its_day_by_its_count(client):
    start = look(client, SourceCursor()).cursor
    client.upsert(DATASET_ID, [{":id": sid_of(client, "B1"), ":deleted": True}])
    changes = look(client, start)
    assert changes.recounted_days == {date(2026, 11, 1): 0}
    assert changes.days == [date(2026, 11, 1)]


def test_a_new_row_names_its_day(client):
    start = look(client, SourceCursor()).cursor
    client.upsert(DATASET_ID, [call("C2", "2026-11-02")])
    changes = look(client, start)
    assert date(2026, 11, 2) in changes.updated_days
    assert changes.recounted_days == {date(2026, 11, 2): 2}


def test_changed_rows_are_read_page_by_page_to_the_last(client):
    start = look(client, SourceCursor()).cursor
    client.upsert(DATASET_ID, [call(f"D{n}", f"2026-09-{n:02d}") for n in range(1, 8)])
    changes = look(client, start, page_size=2)
    assert changes.rows_scanned == 7
    assert sorted(day.day for day in changes.updated_days) == [1, 2, 3, 4, 5, 6, 7]
    assert changes.requests == 1 + 4  # the counts, then four pages of two


def test_a_row_without_a_day_is_counted_not_lost(client):
    start = look(client, SourceCursor()).cursor
    client.upsert(DATASET_ID, [{"nopd_item": "E1", "type": "21"}])
    changes = look(client, start)
    assert changes.undated_rows == 1
    assert changes.days == []


def test_the_cursor_survives_a_round_trip_through_json(client):
    cursor = look(client, SourceCursor()).cursor
    assert SourceCursor.from_json(cursor.to_json()) == cursor


def test_per_day_counts_come_from_one_grouped_query(client):
    assert day_counts(client, SOURCE, DATASET_ID) == {
        "2026-10-01": 2,
        "2026-11-01": 1,
        "2026-11-02": 1,
    }


def test_the_overlap_reads_rows_just_before_the_watermark_again(client):
    start = look(client, SourceCursor()).cursor
    changes = look(client, start, overlap=timedelta(minutes=10))
    assert changes.days == [date(2026, 10, 1), date(2026, 11, 1), date(2026, 11, 2)]
    assert changes.recounted_days == {}
