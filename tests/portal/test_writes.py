"""Writing rows: upsert by row identifier, `:deleted`, replace, and refusals that write nothing."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import pytest
import requests

from tests.duckdb_profile import ProfiledConnection
from tests.portal.conftest import seed_view, socrata_client
from tooling.local_portal.store import PortalStore

DATASET = "pub1-call"
VIEW = {
    "name": "Calls for Service (public)",
    "columns": [
        {"id": 2001, "fieldName": "nopd_item", "dataTypeName": "text"},
        {"id": 2002, "fieldName": "type_", "dataTypeName": "text"},
        {"id": 2003, "fieldName": "mapx", "dataTypeName": "number"},
    ],
    "rowIdentifierColumnId": 2001,
}


@pytest.fixture
def target(client, portal):
    """An empty public dataset with `nopd_item` as row identifier, as the city created it."""
    seed_view(portal, DATASET, VIEW)
    return client


def rows_by_item(client, dataset=DATASET) -> dict[str, dict[str, str]]:
    return {row["nopd_item"]: row for row in client.get(dataset, select=":*, *")}


def test_upsert_answers_created_updated_and_deleted_counts(target):
    first = target.upsert(DATASET, [{"nopd_item": "A1", "type_": "21"}, {"nopd_item": "A2"}])
    assert first == {
        "By RowIdentifier": 2,
        "By SID": 0,
        "Errors": 0,
        "Rows Created": 2,
        "Rows Deleted": 0,
        "Rows Updated": 0,
    }
    second = target.upsert(
        DATASET,
        [
            {"nopd_item": "A1", "type_": "62A"},
            {"nopd_item": "A2", ":deleted": True},
            {"nopd_item": "A3"},
        ],
    )
    assert (second["Rows Created"], second["Rows Updated"], second["Rows Deleted"]) == (1, 1, 1)
    assert set(rows_by_item(target)) == {"A1", "A3"}


def test_a_repeated_upsert_counts_its_delete_of_a_gone_row_as_an_error_as_socrata_does(target):
    # ../shared/socrata/docs/publishers_soda-producer_upsert.md: one row created, one updated,
    # one deleted; "If we were to retry that operation again": 0 deleted, 2 updated, 1 error.
    target.upsert(DATASET, [{"nopd_item": "A2"}, {"nopd_item": "A3"}])
    payload = [{"nopd_item": "A1"}, {"nopd_item": "A2", "type_": "21"}]
    payload.append({"nopd_item": "A3", ":deleted": True})
    first = target.upsert(DATASET, payload)
    again = target.upsert(DATASET, payload)

    counts = ("Rows Created", "Rows Updated", "Rows Deleted", "Errors")
    assert [first[name] for name in counts] == [1, 1, 1, 0]
    assert [again[name] for name in counts] == [0, 2, 0, 1]
    assert set(rows_by_item(target)) == {"A1", "A2"}


def test_upsert_changes_only_the_fields_it_names_and_null_clears_a_field(target):
    target.upsert(DATASET, [{"nopd_item": "A1", "type_": "21", "mapx": 12.5}])
    target.upsert(DATASET, [{"nopd_item": "A1", "type_": "62A"}])
    assert rows_by_item(target)["A1"]["mapx"] == "12.5"
    target.upsert(DATASET, [{"nopd_item": "A1", "mapx": None}])
    assert "mapx" not in rows_by_item(target)["A1"]


def test_a_changed_row_gets_a_new_updated_at_and_keeps_its_id_and_created_at(target):
    target.upsert(DATASET, [{"nopd_item": "A1", "type_": "21"}])
    before = rows_by_item(target)["A1"]
    time.sleep(0.002)  # timestamps have millisecond precision, as on Socrata
    target.upsert(DATASET, [{"nopd_item": "A1", "type_": "62A"}])
    after = rows_by_item(target)["A1"]
    assert after[":id"] == before[":id"]
    assert after[":created_at"] == before[":created_at"]
    assert after[":updated_at"] > before[":updated_at"]


def test_an_update_that_changes_nothing_counts_as_updated_and_keeps_updated_at(target):
    target.upsert(DATASET, [{"nopd_item": "A1", "type_": "21", "mapx": 3}])
    before = rows_by_item(target)["A1"]
    answer = target.upsert(DATASET, [{"nopd_item": "A1", "type_": "21", "mapx": "3"}])
    assert answer["Rows Updated"] == 1
    assert rows_by_item(target)["A1"] == before


def test_deleting_a_row_that_is_not_there_changes_nothing_and_counts_an_error(target):
    target.upsert(DATASET, [{"nopd_item": "A1"}])
    answer = target.upsert(DATASET, [{"nopd_item": "gone", ":deleted": True}])
    assert answer["Rows Deleted"] == 0
    assert answer["Errors"] == 1
    assert set(rows_by_item(target)) == {"A1"}


def test_without_row_identifier_rows_are_appended_and_deleted_by_id(client, portal):
    seed_view(portal, "logs-0001", {"columns": [{"fieldName": "note"}]})
    client.upsert("logs-0001", [{"note": "same"}, {"note": "same"}])
    rows = client.get("logs-0001", select=":id, note")
    assert [row["note"] for row in rows] == ["same", "same"]
    answer = client.upsert("logs-0001", [{":id": rows[0][":id"], ":deleted": True}])
    assert (answer["Rows Deleted"], answer["By SID"]) == (1, 1)
    assert client.get("logs-0001", select=":id") == [{":id": rows[1][":id"]}]


def test_replace_swaps_every_row_for_the_payload(target):
    target.upsert(DATASET, [{"nopd_item": "A1"}, {"nopd_item": "A2"}])
    answer = target.replace(DATASET, [{"nopd_item": "B1", "type_": "21"}])
    assert (answer["Rows Created"], answer["Rows Deleted"]) == (1, 2)
    assert target.get(DATASET) == [{"nopd_item": "B1", "type_": "21"}]


def test_a_refused_payload_writes_nothing(target):
    target.upsert(DATASET, [{"nopd_item": "A1", "type_": "21"}])
    with pytest.raises(requests.HTTPError, match="400"):
        target.upsert(
            DATASET, [{"nopd_item": "A1", "type_": "99"}, {"nopd_item": "A2", "mapx": "x"}]
        )
    assert target.get(DATASET) == [{"nopd_item": "A1", "type_": "21"}]


def test_an_upsert_naming_a_field_without_a_column_is_refused_whole(target, portal):
    # README "A field the dataset has no column for is refused (400); upserts never create
    # columns" (upsert doc; cityofaustin/atd-data-publishing#223 "Illegal field name sent")
    target.upsert(DATASET, [{"nopd_item": "A1", "type_": "21"}])
    rows = [{"nopd_item": "A1", "type_": "99"}, {"nopd_item": "A2", "beat": "7L03"}]
    answer = requests.post(f"{portal.url}/resource/{DATASET}.json", json=rows, timeout=5)
    assert (answer.status_code, answer.json()["message"]) == (400, "Illegal field name sent: beat")
    assert target.get(DATASET) == [{"nopd_item": "A1", "type_": "21"}]


def test_a_csv_upsert_naming_a_field_without_a_column_is_refused_whole(target, portal):
    # README: upserts never create columns; publishers_soda-producer_upsert.md "Upserting
    # with CSV": the header row holds the API field names
    answer = requests.post(
        f"{portal.url}/resource/{DATASET}.json",
        data="nopd_item,beat\nA1,7L03\n",
        headers={"Content-Type": "text/csv"},
        timeout=5,
    )
    assert (answer.status_code, answer.json()["message"]) == (400, "Illegal field name sent: beat")
    assert target.get(DATASET) == []


def test_an_upsert_refused_for_a_field_creates_no_column(target, portal):
    requests.post(
        f"{portal.url}/resource/{DATASET}.json", json=[{"nopd_item": "A1", "beat": "x"}], timeout=5
    )
    assert "beat" not in [column["fieldName"] for column in target.get_metadata(DATASET)["columns"]]


def test_system_fields_id_and_deleted_stay_accepted_in_an_upsert(target):
    # docs/docs_system-fields.md; publishers_soda-producer_upsert.md (":deleted")
    target.upsert(DATASET, [{"nopd_item": "A1"}])
    row_id = target.get(DATASET, select=":id")[0][":id"]
    answer = target.upsert(DATASET, [{":id": row_id, ":deleted": True}])
    assert answer["Rows Deleted"] == 1


def test_a_number_field_refuses_text_that_is_not_a_number(target):
    with pytest.raises(requests.HTTPError, match="'north' is not a number"):
        target.upsert(DATASET, [{"nopd_item": "A1", "mapx": "north"}])


def test_an_upsert_body_may_be_csv(target, portal):
    answer = requests.post(
        f"{portal.url}/resource/{DATASET}.json",
        data="nopd_item,type_,mapx\nA1,21,\nA2,62A,4\n",
        headers={"Content-Type": "text/csv"},
        timeout=5,
    )
    assert answer.json()["Rows Created"] == 2
    assert rows_by_item(target)["A1"].get("mapx") is None


def test_one_row_can_be_deleted_by_its_row_identifier(target, portal):
    target.upsert(DATASET, [{"nopd_item": "A1"}, {"nopd_item": "A2"}])
    target.delete(DATASET, row_id="A1")
    assert set(rows_by_item(target)) == {"A2"}
    answer = requests.delete(f"{portal.url}/resource/{DATASET}/A1.json", timeout=5)
    assert answer.status_code == 404


def test_writes_to_an_unknown_dataset_are_a_404(portal):
    with socrata_client(portal) as client, pytest.raises(requests.HTTPError, match="404"):
        client.upsert("zzzz-0000", [{"a": "b"}])


def test_concurrent_writers_and_readers_see_whole_writes(target, portal):
    def write(worker: int) -> None:
        with socrata_client(portal) as client:
            for batch in range(5):
                chunk = [{"nopd_item": f"W{worker}-{batch}-{n}", "mapx": n} for n in range(20)]
                assert client.upsert(DATASET, chunk)["Rows Created"] == 20
                count = int(client.get(DATASET, select="count(*)")[0]["count"])
                assert count % 20 == 0

    with ThreadPoolExecutor(max_workers=6) as pool:
        list(pool.map(write, range(6)))
    assert target.get(DATASET, select="count(*)") == [{"count": str(6 * 5 * 20)}]


# Two DuckDB row groups and a half (122,880 rows each): fifteen years of calls in small.
STORED_ROWS = 300_000
DAY_ROWS = 1_000


def item(index: int) -> str:
    """Item numbers out of storage order, as the city's are (they restart every year)."""
    return f"A{(index * 7919) % STORED_ROWS:06d}"


def test_a_nights_upsert_reads_the_stored_keys_once_not_once_per_statement(tmp_path):
    # The city's portal finds a row by its identifier. The double has no index: it reads
    # every stored key to find the rows an upsert names, and does that once; the statements
    # that then delete and update those rows reach them by rowid, which skips the row groups
    # that hold none of them. A key join in every statement read fifteen years of keys three
    # times for each night's upsert.
    with PortalStore(tmp_path / "portal") as store:
        store.seed_dataset(DATASET, VIEW)
        store.upsert(DATASET, [{"nopd_item": item(i), "type_": "21"} for i in range(STORED_ROWS)])
        profiled = []
        plain_cursor = store._cursor

        @contextmanager
        def profiled_cursor():
            with plain_cursor() as cursor:
                profile = tmp_path / f"profile{len(profiled)}.json"
                profiled.append(ProfiledConnection(cursor, profile))
                yield profiled[-1]

        store._cursor = profiled_cursor
        last_day = range(STORED_ROWS - DAY_ROWS, STORED_ROWS)
        answer = store.upsert(
            DATASET,
            [{"nopd_item": item(i), "type_": "62A"} for i in last_day[::2]]
            + [{"nopd_item": item(i), ":deleted": True} for i in last_day[1::2]]
            + [{"nopd_item": f"B{i:06d}", "type_": "21"} for i in range(DAY_ROWS)],
        )
    counts = (answer["Rows Updated"], answer["Rows Deleted"], answer["Rows Created"])
    assert counts == (DAY_ROWS // 2, DAY_ROWS // 2, DAY_ROWS)
    # Whole: every row but the night's deleted ones (DuckDB counts the rows a scan went through).
    whole_reads = [
        scan
        for connection in profiled
        for scan in connection.scans
        if scan.table.endswith("ds_pub1_call") and scan.rows >= STORED_ROWS - DAY_ROWS
    ]
    assert len(whole_reads) == 1, whole_reads
