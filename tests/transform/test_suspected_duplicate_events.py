"""Suspected duplicate events: one event under several item numbers is listed for review,
never merged, on hand-made rows and on the city's own 2011 rows."""

from __future__ import annotations

import csv
import json
from datetime import date, datetime

import pytest

from tests.conftest import SHARED_DATA
from tests.real_rows.city_exports import internal_address
from tests.warehouse_builder import dbt_build, query, raw_row, write_raw_rows

pytestmark = pytest.mark.integration  # builds warehouses with dbt: not in make test-fast

DAY = date(2022, 1, 1)
CITY_2011 = SHARED_DATA / "calls_for_service" / "cfs_2011_first_rows__ptiwald_noheader.csv"
CITY_2011_DAY = date(2011, 1, 1)
COLUMNS_2011 = (  # the 2011 layout, in its order (the file has no header)
    "nopd_item",
    "type",
    "typetext",
    "priority",
    "mapx",
    "mapy",
    "timecreate",
    "timedispatch",
    "timearrive",
    "timeclosed",
    "disposition",
    "dispositiontext",
    "block_address",
    "zip",
    "policedistrict",
    "location",
)

ROWS = [
    # One event typed twice, 20 seconds apart, at the same block.
    raw_row("A0000122", timecreate="2022-01-01T08:50:00.000"),
    raw_row("A0000222", timecreate="2022-01-01T08:50:20.000"),
    # The same type at the same block two minutes later: another event.
    raw_row("A0000322", timecreate="2022-01-01T08:52:30.000"),
    # The same moment at another block, and another type at the same block.
    raw_row("A0000422", timecreate="2022-01-01T08:50:10.000", address="612 Esplanade Ave"),
    raw_row("A0000522", timecreate="2022-01-01T08:50:05.000", type="62A", typetext="ALARM"),
]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory):
    warehouse = tmp_path_factory.mktemp("duplicates") / "warehouse.duckdb"
    write_raw_rows(warehouse, ROWS, DAY)
    result = dbt_build(warehouse, DAY, date(2022, 1, 2))
    assert result.returncode == 0, result.stdout[-3000:]
    return warehouse, result


def suspected(warehouse) -> dict[str, str]:
    rows = query(
        warehouse,
        "select nopd_item, suspected_duplicate_of "
        "from audit.audit_calls_for_service_suspected_duplicate_events",
    )
    return dict(rows)


def test_a_second_item_of_the_same_type_block_and_minute_is_listed_beside_the_first(built):
    warehouse, _ = built
    assert suspected(warehouse) == {"A0000222": "A0000122"}


def test_suspected_duplicates_are_published_as_recorded(built):
    warehouse, _ = built
    published = {
        row[0] for row in query(warehouse, "select nopd_item from marts.calls_for_service")
    }
    assert {"A0000122", "A0000222"} <= published


def test_suspected_duplicates_raise_a_warning_not_an_error(built):
    warehouse, _ = built
    results = json.loads((warehouse.parent / "dbt_target" / "run_results.json").read_text())
    (warning,) = [
        result
        for result in results["results"]
        if result["unique_id"].split(".")[2] == "warn_calls_for_service_suspected_duplicate_events"
    ]
    assert (warning["status"], warning["failures"]) == ("warn", 1)


def city_2011_rows() -> list[dict[str, str]]:
    if not CITY_2011.exists():
        pytest.skip(f"the city's 2011 rows are not here ({CITY_2011} is absent)")
    with CITY_2011.open(encoding="utf-8", newline="") as handle:
        rows = [dict(zip(COLUMNS_2011, row, strict=True)) for row in csv.reader(handle)]
    return [{k: ("" if v == "empty" else v) for k, v in row.items()} for row in rows]


def floating(text: str) -> str | None:
    moment = datetime.strptime(text, "%m/%d/%Y %I:%M:%S %p") if text else None
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000") if moment else None


def internal_2011(row: dict[str, str]) -> dict:
    """A 2011 published row as the internal export would hold it (a house number inside
    the block); its point stays blank, since the 2011 rows locate by state-plane feet."""
    times = {field: floating(row[field]) for field in ("timecreate", "timedispatch")}
    times |= {field: floating(row[field]) for field in ("timearrive", "timeclosed")}
    return raw_row(
        row["nopd_item"],
        updated_at="2011-01-03T06:00:00.000Z",
        type=row["type"],
        typetext=row["typetext"],
        priority=row["priority"],
        initialtype=row["type"],
        initialtypetext=row["typetext"],
        initialpriority=row["priority"],
        disposition=row["disposition"],
        dispositiontext=row["dispositiontext"],
        address=internal_address(row["block_address"], row["nopd_item"]),
        zip=row["zip"] or None,
        policedistrict=row["policedistrict"],
        latitude=None,
        longitude=None,
        caller_name=None,
        caller_phone=None,
        narrative=None,
        **times,
    )


@pytest.fixture(scope="module")
def city_2011(tmp_path_factory: pytest.TempPathFactory):
    rows = [r for r in city_2011_rows() if r["timecreate"].startswith("01/01/2011")]
    warehouse = tmp_path_factory.mktemp("duplicates_2011") / "warehouse.duckdb"
    write_raw_rows(warehouse, [internal_2011(row) for row in rows], CITY_2011_DAY)
    result = dbt_build(warehouse, CITY_2011_DAY, date(2011, 1, 2))
    assert result.returncode == 0, result.stdout[-3000:]
    return warehouse, rows


def test_the_citys_five_17m_items_of_one_second_are_listed_as_one_event(city_2011):
    warehouse, _ = city_2011
    listed = suspected(warehouse)
    assert {
        item: listed.get(item) for item in ("A0000211", "A0000311", "A0000411", "A0000511")
    } == {item: "A0000111" for item in ("A0000211", "A0000311", "A0000411", "A0000511")}
    assert "A0000111" not in listed


def test_every_listed_city_item_shares_type_block_and_minute_with_its_first(city_2011):
    warehouse, rows = city_2011
    by_item = {row["nopd_item"]: row for row in rows}
    for item, first in suspected(warehouse).items():
        later, earlier = by_item[item], by_item[first]
        assert (later["type"], later["block_address"]) == (
            earlier["type"],
            earlier["block_address"],
        )
        seconds = abs(
            (
                datetime.fromisoformat(floating(later["timecreate"]))
                - datetime.fromisoformat(floating(earlier["timecreate"]))
            ).total_seconds()
        )
        assert seconds <= 60, (item, first)
