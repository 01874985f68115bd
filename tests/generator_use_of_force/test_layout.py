"""The export's columns: the city's 33 public columns as Socrata names them, then private ones."""

from __future__ import annotations

import csv
import json

from tooling.generator.use_of_force import INTERNAL_UOF_DATASET_ID, UOF_FIELDS

EXPECTED_FIELDS = (
    "pib_file_number", "date_occurred", "originating_bureau", "division_level", "division",
    "unit", "working_status", "shift", "investigation_status", "disposition", "service_type",
    "light_condition", "weather_condition", "use_of_force_type", "use_of_force_level",
    "subject_influencing_factors", "use_of_force_effective", "officer_race_ethnicity",
    "officer_gender", "officer_age", "officer_years_of_service", "distance_between",
    "subject_gender", "subject_ethnicity", "subject_age", "subject_build", "subject_height",
    "subject_injured", "subject_hospitalized", "subject_arrested", "subject_arrest_charges",
    "use_of_force_reason", "officer_injured", "officer_name", "officer_badge_number",
    "subject_name", "subject_date_of_birth", "incident_address", "narrative",
)  # fmt: skip


def test_fields_are_the_public_columns_then_the_private_ones():
    assert UOF_FIELDS == EXPECTED_FIELDS


def test_csv_header_is_the_fields_then_updated_at(sixty_days):
    assert sixty_days.path.name == f"{INTERNAL_UOF_DATASET_ID}.csv"
    with sixty_days.path.open(encoding="utf-8", newline="") as f:
        assert tuple(next(csv.reader(f))) == (*EXPECTED_FIELDS, ":updated_at")


def test_sidecar_types_every_column_in_order(sixty_days):
    meta = json.loads(sixty_days.meta_path.read_text(encoding="utf-8"))
    assert sixty_days.meta_path.name == "nopd-uof1.meta.json"
    assert set(meta) == {"name", "description", "columns", "rowIdentifier"}
    assert meta["rowIdentifier"] is None
    assert [column["fieldName"] for column in meta["columns"]] == list(EXPECTED_FIELDS)
    types = {column["fieldName"]: column["dataTypeName"] for column in meta["columns"]}
    assert types.pop("date_occurred") == "calendar_date"
    assert set(types.values()) == {"text"}
    assert all(column["name"] for column in meta["columns"])
