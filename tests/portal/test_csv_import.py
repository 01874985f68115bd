"""CSV files in the data folder: imported as datasets, re-imported only when they change."""

from __future__ import annotations

import json
import logging
import os

import requests

from tests.portal.conftest import CFS_ID, seed_view, socrata_client, write_dataset
from tooling.local_portal import PortalStore
from tooling.local_portal.soql import SoqlQuery

PLAIN_ID = "plai-n001"


def rows(store: PortalStore, dataset_id: str, select: str = ":*, *") -> list[tuple]:
    return store.select(dataset_id, SoqlQuery(select=select, order=":id")).rows


def by_item(client, dataset_id=CFS_ID) -> dict[str, dict[str, str]]:
    return {row["nopd_item"]: row for row in client.get(dataset_id, select=":*, *")}


def test_the_updated_at_column_of_a_csv_sets_the_system_field(client):
    assert by_item(client)["A0002-22"][":updated_at"] == "2026-11-01T11:00:00.000Z"
    fields = client.get_metadata(CFS_ID)["columns"]
    assert ":updated_at" not in [column["fieldName"] for column in fields]


def test_a_csv_without_sidecar_has_text_columns_named_after_its_headers(data_dir):
    write_dataset(data_dir, PLAIN_ID, "Item ID,TimeCreate,Zip\n1,2022-01-01T00:00:00,\n")
    with PortalStore(data_dir) as store:
        view = store.dataset(PLAIN_ID).rendered()
        assert [(c["fieldName"], c["name"], c["dataTypeName"]) for c in view["columns"]] == [
            ("item_id", "Item ID", "text"),
            ("timecreate", "TimeCreate", "text"),
            ("zip", "Zip", "text"),
        ]
        assert "rowIdentifier" not in view["metadata"]
        assert "rowIdentifierColumnId" not in view
        assert rows(store, PLAIN_ID, "item_id, timecreate, zip") == [
            ("1", "2022-01-01T00:00:00", None)
        ]


def test_files_not_named_by_a_dataset_id_are_ignored_with_a_warning(data_dir, caplog):
    write_dataset(data_dir, "calls_2022", "a\n1\n")
    with caplog.at_level(logging.WARNING), PortalStore(data_dir) as store:
        assert store.datasets() == []
    assert "ignoring calls_2022.csv" in caplog.text


def test_a_changed_csv_keeps_unchanged_rows_and_stamps_changed_and_new_ones(data_dir):
    meta = {"rowIdentifier": "item", "columns": [{"fieldName": "item"}]}
    write_dataset(data_dir, PLAIN_ID, "item,status\nA,open\nB,open\nC,open\n", meta)
    with PortalStore(data_dir) as store:
        before = {row[3]: row for row in rows(store, PLAIN_ID)}
    write_dataset(data_dir, PLAIN_ID, "item,status\nA,open\nB,closed\nD,open\n")
    with PortalStore(data_dir) as store:
        after = {row[3]: row for row in rows(store, PLAIN_ID)}
    assert set(after) == {"A", "B", "D"}
    assert after["A"] == before["A"]
    assert after["B"][:2] == before["B"][:2]  # same :id and :created_at
    assert after["B"][2] > before["B"][2]
    assert after["D"][2] > before["A"][2]


def test_without_a_row_identifier_rows_are_matched_by_content(data_dir):
    write_dataset(data_dir, PLAIN_ID, "note\nsame\nsame\nother\n")
    with PortalStore(data_dir) as store:
        before = sorted(rows(store, PLAIN_ID))
    write_dataset(data_dir, PLAIN_ID, "note\nsame\nother\nnew\n")
    with PortalStore(data_dir) as store:
        after = sorted(rows(store, PLAIN_ID))
        kept = [row for row in after if row in before]
        assert sorted(row[3] for row in kept) == ["other", "same"]
        assert len(after) == 3


def test_an_unchanged_or_merely_touched_csv_is_not_imported_again(cfs_dir, start_portal):
    portal = start_portal(cfs_dir)
    reload = requests.post(f"{portal.url}/_portal/reload", timeout=5)
    assert reload.json() == {"imported": []}
    csv_path = cfs_dir / f"{CFS_ID}.csv"
    stat = csv_path.stat()
    os.utime(csv_path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 5_000_000_000))
    assert requests.post(f"{portal.url}/_portal/reload", timeout=5).json() == {"imported": []}


def test_a_reload_imports_a_changed_csv_without_a_restart(cfs_dir, start_portal):
    portal = start_portal(cfs_dir)
    text = (cfs_dir / f"{CFS_ID}.csv").read_text().replace("A0004-22,62A", "A0004-22,62B")
    (cfs_dir / f"{CFS_ID}.csv").write_text(text)
    imported = requests.post(f"{portal.url}/_portal/reload", timeout=5).json()["imported"]
    assert imported == [
        {
            "dataset_id": CFS_ID,
            "rows": 4,
            "created": 0,
            "updated": 1,
            "unchanged": 3,
            "deleted": 0,
            "skipped": 0,
        }
    ]
    with socrata_client(portal) as client:
        assert by_item(client)["A0004-22"]["type_"] == "62B"


def test_repeated_row_identifiers_keep_the_latest_version(data_dir):
    csv_text = (
        "item,status,:updated_at\n"
        "A,dispatched,2026-11-01T10:00:00Z\n"
        "A,closed,2026-11-01T12:00:00Z\n"
        "A,arrived,2026-11-01T11:00:00Z\n"
        ",orphan,2026-11-01T11:00:00Z\n"
    )
    write_dataset(data_dir, PLAIN_ID, csv_text, {"rowIdentifier": "item"})
    with PortalStore(data_dir) as store:
        assert rows(store, PLAIN_ID, "item, status, :updated_at") == [
            ("A", "closed", "2026-11-01T12:00:00.000Z")
        ]


def test_calendar_dates_are_stored_in_socrata_form_and_empty_cells_are_null(data_dir):
    meta = {"columns": [{"fieldName": "day", "dataTypeName": "calendar_date"}]}
    write_dataset(data_dir, PLAIN_ID, 'day,note\n2022-01-01 01:07,""\nnot a date,x\n', meta)
    with PortalStore(data_dir) as store:
        assert sorted(rows(store, PLAIN_ID, "day, note")) == [
            ("2022-01-01T01:07:00.000", None),
            ("not a date", "x"),
        ]


def test_datasets_written_through_the_api_survive_a_restart(cfs_dir, start_portal):
    first = start_portal(cfs_dir)
    seed_view(
        first, "pub1-call", {"columns": [{"fieldName": "k", "id": 7}], "rowIdentifierColumnId": 7}
    )
    with socrata_client(first) as client:
        client.upsert("pub1-call", [{"k": "1"}])
        client.upsert(CFS_ID, [{"nopd_item": "A0001-22", "type_": "99"}])
        written = client.get("pub1-call", select=":*, *")
    first.stop()
    second = start_portal(cfs_dir)
    with socrata_client(second) as client:
        assert client.get("pub1-call", select=":*, *") == written
        assert client.get_metadata("pub1-call")["rowIdentifierColumnId"] == 7
        assert by_item(client)["A0001-22"]["type_"] == "99"


def test_a_broken_sidecar_skips_its_dataset_and_keeps_the_others(cfs_dir, caplog):
    write_dataset(cfs_dir, PLAIN_ID, "a\n1\n")
    (cfs_dir / f"{PLAIN_ID}.meta.json").write_text("{not json")
    with caplog.at_level(logging.ERROR), PortalStore(cfs_dir) as store:
        assert [dataset.id for dataset in store.datasets()] == [CFS_ID]
    assert f"could not import {cfs_dir / (PLAIN_ID + '.csv')}" in caplog.text


def test_a_sidecar_row_identifier_field_name_becomes_the_columns_id(data_dir):
    # The sidecar's field-name shorthand is local; the view holds Socrata's column id
    # (recorded/test_get_metadata_and_attachments.yaml: metadata.rowIdentifier 562412106)
    write_dataset(data_dir, PLAIN_ID, "item,status\nA,open\n", {"rowIdentifier": "item"})
    with PortalStore(data_dir) as store:
        view = store.dataset(PLAIN_ID).rendered()
    assert view["metadata"]["rowIdentifier"] == view["columns"][0]["id"]


def test_a_store_of_an_older_portal_gets_its_row_identifiers_as_column_ids(data_dir):
    with PortalStore(data_dir) as store:
        store.update_view(PLAIN_ID, {"columns": [{"fieldName": "k"}], "rowIdentifier": "k"})
        view = store.dataset(PLAIN_ID).view
        column_id = view["columns"][0]["id"]
        old = {**view, "metadata": {"rowIdentifier": "k"}}
        store._connection.execute(
            "UPDATE portal_datasets SET view = ? WHERE id = ?", [json.dumps(old), PLAIN_ID]
        )
    with PortalStore(data_dir) as store:
        assert store.dataset(PLAIN_ID).view["metadata"]["rowIdentifier"] == column_id
        assert store.dataset(PLAIN_ID).row_identifier == "k"
