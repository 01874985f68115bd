"""Column formats and domains, as the portal will load them and the contracts will check them."""

from __future__ import annotations

import json
import re
from datetime import datetime

import numpy as np

from orchestration.warehouse.coordinates import to_state_plane
from tooling.generator.service_requests import COLUMNS, SERVICE_REQUEST_FIELDS
from tooling.generator.service_requests_reference import (
    COUNCIL_DISTRICTS,
    load_service_requests_reference,
)

FLOATING = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000$")
STATUSES = {
    "Open", "Assigned to Contractor", "Assigned to Department", "In Progress",
    "Contractor Action Submitted", "Closed",
}  # fmt: skip


def _parsed(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text) if FLOATING.match(text) else None
    except ValueError:
        return None


def test_columns_are_the_fields_then_updated_at_and_the_sidecar_describes_them(
    fortnight_export, fortnight_rows
):
    assert tuple(fortnight_rows[0]) == COLUMNS == (*SERVICE_REQUEST_FIELDS, ":updated_at")
    meta = json.loads(fortnight_export.meta_path.read_text())
    assert meta["rowIdentifier"] == "service_request"
    assert [c["fieldName"] for c in meta["columns"]] == list(SERVICE_REQUEST_FIELDS)
    kinds = {c["fieldName"]: c["dataTypeName"] for c in meta["columns"]}
    assert {f for f, kind in kinds.items() if kind == "calendar_date"} == {
        "date_created", "date_modified", "case_close_date",
    }  # fmt: skip
    assert {f for f, kind in kinds.items() if kind == "number"} == {
        "final_x", "final_y", "latitude", "longitude",
    }  # fmt: skip


def test_service_request_is_year_dash_sequence_and_rowid_is_its_sequence(fortnight_rows):
    numbered = [row for row in fortnight_rows if row["service_request"]]
    assert numbered
    for row in numbered:
        assert re.fullmatch(r"2026-\d{7}", row["service_request"])
        assert row["service_request"] == f"2026-{row['rowid']}"
    assert len({row["rowid"] for row in fortnight_rows}) == len(fortnight_rows)


def test_timestamps_are_floating_and_in_life_order(fortnight_rows):
    for row in fortnight_rows:
        modified = _parsed(row["date_modified"])
        assert modified is not None
        created = _parsed(row["date_created"])
        if created is not None:
            assert created <= modified
        if row["case_close_date"]:
            assert row["case_close_date"] == row["date_modified"]
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z", row[":updated_at"])


def test_request_status_is_closed_exactly_when_a_close_date_is_present(fortnight_rows):
    for row in fortnight_rows:
        closed = row["request_status"] == "Closed"
        assert row["request_status"] in {"Pending", "Closed"}
        assert closed == bool(row["case_close_date"]) == (row["status"] == "Closed")
    assert {row["status"] for row in fortnight_rows} <= STATUSES


def test_types_reasons_agencies_and_contractors_come_from_the_reference(fortnight_rows):
    ref = load_service_requests_reference()
    kinds = {(k.request_type, k.request_reason): k for k in ref.kinds.values}
    for row in fortnight_rows:
        kind = kinds[(row["request_type"], row["request_reason"])]
        assert row["responsible_agency"] == kind.responsible_agency
        if not kind.by_contractor:
            assert not row["contractor"] and not row["contractor_action"]
        elif row["status"] != "Open":
            assert row["contractor"]


def test_council_districts_are_a_to_e_wherever_the_address_geocoded(fortnight_rows):
    for row in fortnight_rows:
        geocoded = row["latitude"] not in ("", "0.0")
        assert row["address_councildis"] in (COUNCIL_DISTRICTS if geocoded else ("",))


def test_addresses_have_house_numbers(fortnight_rows):
    assert all(re.fullmatch(r"\d+ \S.*", row["final_address"]) for row in fortnight_rows)


def test_state_plane_matches_latitude_and_longitude_within_a_foot(fortnight_rows):
    located = [row for row in fortnight_rows if row["final_x"]]
    x, y = to_state_plane(
        np.array([float(row["longitude"]) for row in located]),
        np.array([float(row["latitude"]) for row in located]),
    )
    assert np.abs(x - np.array([float(row["final_x"]) for row in located])).max() < 1.0
    assert np.abs(y - np.array([float(row["final_y"]) for row in located])).max() < 1.0
    assert all(29.8 < float(row["latitude"]) < 30.2 for row in located)


def test_about_four_percent_lack_coordinates_as_zero_or_blank(fortnight_export, fortnight_rows):
    missing = [row for row in fortnight_rows if not row["final_x"]]
    assert {row["latitude"] for row in missing} == {"0.0", ""}
    assert all(row["latitude"] == row["longitude"] and not row["final_y"] for row in missing)
    assert len(missing) == fortnight_export.missing_coordinates
    assert 0.02 < len(missing) / len(fortnight_rows) < 0.06
