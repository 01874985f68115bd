"""The 311 models: one row per request, requester gone, repeats flagged and kept."""

from __future__ import annotations

from datetime import date

import pytest

from tests.warehouse_builder import (
    SERVICE_REQUEST_FIELDS,
    contract_failures,
    dbt_build,
    query,
    write_raw_rows,
)

pytestmark = pytest.mark.integration  # builds warehouses with dbt: not in make test-fast

DAY = date(2026, 11, 2)
PREVIOUS_DAY = date(2026, 11, 1)


def request(number, created, address="7049 Whitmore Pl", reason="Pothole", **more):
    row = {
        "service_request": number,
        "rowid": number.split("-")[-1] if number else None,
        "request_type": "Roads/Drainage",
        "request_reason": reason,
        "date_created": created,
        "date_modified": created,
        "request_status": "Pending",
        "responsible_agency": "Department of Public Works",
        "final_address": address,
        "address_councildis": "E",
        "final_x": "3705000.5",
        "final_y": "540123.25",
        "latitude": "29.9876",
        "longitude": "-90.0123",
        "status": "Assigned to Contractor",
        "requester_name": "Camille Thibodeaux",
        "requester_phone": "(504) 555-0177",
        "requester_email": "camille.thibodeaux@example.com",
        **more,
    }
    row["_source_updated_at"] = "2026-11-03T06:00:00.000Z"
    return row


PREVIOUS = [request("2026-1000001", "2026-11-01T09:00:00.000")]
ROWS = [
    # Repeats the previous day's report at the same place: flagged with it.
    request("2026-1000101", "2026-11-02T08:00:00.000", address="7049  whitmore pl"),
    # Another repeat the same day, and a different problem at the same place.
    request("2026-1000102", "2026-11-02T10:00:00.000"),
    request("2026-1000103", "2026-11-02T11:00:00.000", reason="Catch Basin Clogged"),
    # An unrelated request, closed.
    request(
        "2026-1000104",
        "2026-11-02T12:00:00.000",
        address="1200 Canal St",
        request_status="Closed",
        case_close_date="2026-11-02T15:00:00.000",
    ),
    # Rows that break the rules of their type.
    request(None, "2026-11-02T13:00:00.000"),
    request("2026-1000105", "2026-11-02T25:61:00.000", date_modified="2026-11-02T12:00:00.000"),
]


def build(tmp_path_factory, **privacy):
    path = tmp_path_factory.mktemp("sr311") / "warehouse.duckdb"
    table, fields = "raw.service_requests_311", SERVICE_REQUEST_FIELDS
    write_raw_rows(path, PREVIOUS, PREVIOUS_DAY, table=table, fields=fields)
    write_raw_rows(path, ROWS, DAY, table=table, fields=fields)
    settings = {"address_precision": "full", "block_grid_feet": 300, "repeat_window_days": 7}
    settings.update(privacy)
    for start, end in ((PREVIOUS_DAY, DAY), (DAY, date(2026, 11, 3))):
        result = dbt_build(path, start, end, service_requests_311=settings)
        assert result.returncode == 0, result.stdout[-4000:]
    return path


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    return build(tmp_path_factory)


def published(warehouse, column, number):
    rows = query(
        warehouse,
        f"select {column} from marts.service_requests_311 where service_request = ?",
        [number],
    )
    return rows[0][0] if rows else None


def test_repeat_reports_are_kept_and_name_the_earliest_report(warehouse):
    assert published(warehouse, "duplicate_of", "2026-1000101") == "2026-1000001"
    assert published(warehouse, "duplicate_of", "2026-1000102") == "2026-1000001"


def test_a_different_problem_at_the_same_place_is_not_a_repeat(warehouse):
    assert published(warehouse, "service_request", "2026-1000103") == "2026-1000103"
    assert published(warehouse, "duplicate_of", "2026-1000103") is None


def test_requester_identity_is_not_published(warehouse):
    columns = {row[0] for row in query(warehouse, "describe marts.service_requests_311")}
    assert not columns & {"requester_name", "requester_phone", "requester_email"}
    text = " ".join(
        str(v) for row in query(warehouse, "select * from marts.service_requests_311") for v in row
    )
    assert "Thibodeaux" not in text and "555-0177" not in text


def test_full_precision_publishes_the_address_as_the_city_does(warehouse):
    assert published(warehouse, "final_address", "2026-1000104") == "1200 Canal St"


def test_block_precision_publishes_hundred_blocks(tmp_path_factory):
    warehouse = build(tmp_path_factory, address_precision="block")
    assert published(warehouse, "final_address", "2026-1000104") == "012XX Canal St"
    x = published(warehouse, "final_x", "2026-1000104")
    assert (x - 150) % 300 == 0


@pytest.mark.parametrize(
    ("number", "reason"),
    [(None, "missing service_request"), ("2026-1000105", "unparsable date_created")],
)
def test_broken_rows_are_quarantined_with_a_reason(warehouse, number, reason):
    condition = "service_request is null" if number is None else "service_request = ?"
    fates = query(
        warehouse,
        f"select fate, fate_reason from audit.audit_service_requests_311_row_fates "
        f"where {condition}",
        [] if number is None else [number],
    )
    assert fates == [("quarantined", reason)]


def test_the_public_mart_passes_its_contract(warehouse):
    assert contract_failures(warehouse, "service_requests_311", DAY, date(2026, 11, 3)) == set()
