"""The columnar fast path: the per-row path's result for a publisher's payload, else declined."""

from __future__ import annotations

import pytest

from tooling.local_portal import fast_rows
from tooling.local_portal.errors import PortalError
from tooling.local_portal.fast_rows import fast_columns, payload_columns
from tooling.local_portal.rows import plan_upsert
from tooling.local_portal.soql import SoqlQuery
from tooling.local_portal.store import PortalStore

COLUMNS = {
    "nopd_item": "text",
    "mapx": "number",
    "mapy": "double",
    "timecreate": "calendar_date",
    "note": "text",
    "location": "point",
}


def full_row(key: str, **values: object) -> dict[str, object]:
    """A row naming every column, as a publisher sends it (nulls included)."""
    row: dict[str, object] = {name: None for name in COLUMNS} | {"nopd_item": key}
    return row | values


VARIED = [
    full_row("A1", mapx="3680000.0", mapy="-90.07", timecreate="2024-01-01T00:07:00.000"),
    full_row("A2", mapx="1e-05", mapy="", note="", location="POINT (-90.07 29.95)"),
    {"nopd_item": "A3", ":deleted": True},
    full_row("A4", mapx="-0", mapy="12", note='é \u2028 😀 "q" \\', timecreate=""),
    full_row("A5", timecreate="2024-02-29T23:59:59.999", note="two\nlines"),
    {"nopd_item": "A6", ":deleted": True},
]


def test_a_publisher_payload_gives_the_per_row_paths_columns():
    fast = fast_columns(VARIED, COLUMNS, "nopd_item")
    assert fast is not None
    assert fast.as_lists() == plan_upsert(VARIED, COLUMNS, "nopd_item").columns()


def test_a_payload_of_deletes_only_gives_the_per_row_paths_columns():
    rows = [{"nopd_item": "A1", ":deleted": True}, {"nopd_item": "A2", ":deleted": True}]
    fast = fast_columns(rows, COLUMNS, "nopd_item")
    assert fast is not None
    assert fast.as_lists() == plan_upsert(rows, COLUMNS, "nopd_item").columns()


@pytest.mark.parametrize(
    "rows",
    [
        [full_row("A1"), full_row("A1", note="again")],  # a row twice: folded per row
        [full_row("A1"), {"nopd_item": "A2", "note": "x"}],  # rows of different shapes
        [
            full_row("A1"),
            {name: None for name in COLUMNS if name != "note"} | {"nopd_item": "A2", "beat": "x"},
        ],  # same width, another name
        [{"nopd_item": "A1", ":deleted": "true"}],
        [{"nopd_item": "A1", ":deleted": True, "note": "x"}],
        [{"nopd_item": "A1", ":id": "row-aaaa-bbbb-cccc"}],
        [full_row("A1", mapx="1.")],
        [full_row("A1", mapx=" 1")],
        [full_row("A1", mapx="1\n2")],
        [full_row("A1", mapx=3)],
        [full_row("A1", location={"latitude": 29.9})],
        [full_row("A1", timecreate="2024-01-01T00:07:00")],
        [full_row("A1", timecreate="0999-01-01T00:07:00.000")],
        [full_row("A1", timecreate="2024-02-30T00:07:00.000")],
        [full_row("A1", note="\ud800")],
        [{"nopd_item": "\ud800", ":deleted": True}],
        [full_row("")],
    ],
)
def test_payloads_the_fast_path_cannot_prove_are_left_to_the_per_row_path(rows):
    assert fast_columns(rows, COLUMNS, "nopd_item") is None


def test_without_a_row_identifier_the_per_row_path_appends():
    rows = [full_row("A1"), full_row("A2")]
    assert fast_columns(rows, COLUMNS, None) is None
    assert payload_columns(rows, COLUMNS, None).keys == [None, None]


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([full_row("A1"), full_row("A2", mapx="many")], "row 1, field mapx: 'many' is not a nu"),
        ([full_row("A1", mapx="1e400")], "row 0, field mapx: '1e400' is not a finite number"),
        ([full_row("A1", timecreate="2024-02-30T00:00:00.000")], "row 0, field timecreate: "),
        ([full_row("A1") | {"beat": "6E04"}], "Illegal field name sent: beat"),
        ([full_row("A1"), full_row("")], "row 1: the row identifier nopd_item is missing"),
        ([{"nopd_item": "A1", ":deleted": "yes"}], "row 0: ':deleted' must be true or false"),
    ],
)
def test_refused_payloads_keep_the_per_row_paths_messages(rows, message):
    with pytest.raises(PortalError, match=message) as refused:
        payload_columns(rows, COLUMNS, "nopd_item")
    assert refused.value.status == 400


def write_twice(folder, rows: list[dict[str, object]]) -> tuple[dict, list[tuple]]:
    """Upsert A3 and A6, then `rows`; the second answer and the rows stored."""
    view = {
        "columns": [{"fieldName": name, "dataTypeName": kind} for name, kind in COLUMNS.items()],
        "metadata": {"rowIdentifier": "nopd_item"},
    }
    with PortalStore(folder) as store:
        store.update_view("abcd-1234", view)
        store.upsert("abcd-1234", [full_row("A3"), full_row("A6", note="old")])
        answer = store.upsert("abcd-1234", rows)
        stored = store.select("abcd-1234", SoqlQuery(order=":id")).rows
    return answer, stored


def test_the_store_writes_a_fast_path_payload_as_the_per_row_path_would(tmp_path, monkeypatch):
    fast = write_twice(tmp_path / "fast", VARIED)
    monkeypatch.setattr(fast_rows, "fast_columns", lambda *args: None)
    slow = write_twice(tmp_path / "slow", VARIED)
    assert fast == slow
    assert fast[0]["Rows Created"] == 4
    assert fast[0]["Rows Deleted"] == 2
