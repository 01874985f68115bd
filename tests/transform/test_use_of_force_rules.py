"""The use-of-force models: one public row per incident, lists joined, identities gone."""

from __future__ import annotations

from datetime import date

import pytest

from tests.warehouse_builder import UOF_FIELDS, contract_failures, dbt_build, query, write_raw_rows

pytestmark = pytest.mark.integration  # builds warehouses with dbt: not in make test-fast

DAY = date(2026, 11, 2)

INCIDENT = {
    "date_occurred": "2026-11-02T00:00:00.000",
    "originating_bureau": "FOB - Field Operations Bureau",
    "division_level": "5th District",
    "division": "A Platoon",
    "unit": "Patrol",
    "working_status": "Regular Working",
    "shift": "Between 3pm-11pm",
    "investigation_status": "Completed",
    "disposition": "Use Of Force Authorized",
    "service_type": "Traffic Stop",
    "light_condition": "Good",
    "weather_condition": "Clear Conditions",
    "use_of_force_reason": "Resisting Lawful Arrest",
    "incident_address": "3021 Oliver White Ave",
    "narrative": "Ofc. Jean Broussard restrained Marcus Doe at 3021 Oliver White Ave.",
}
OFFICER_A = {
    "officer_name": "Ofc. Jean Broussard",
    "officer_badge_number": "1234",
    "officer_race_ethnicity": "Black",
    "officer_gender": "Male",
    "officer_age": "41",
    "officer_years_of_service": "13",
    "officer_injured": "No",
}
OFFICER_B = {
    "officer_name": "Ofc. Anne Hebert",
    "officer_badge_number": "2345",
    "officer_race_ethnicity": "White",
    "officer_gender": "Female",
    "officer_age": "29",
    "officer_years_of_service": "4",
    "officer_injured": "No",
}
SUBJECT_ADULT = {
    "subject_name": "Marcus Doe",
    "subject_date_of_birth": "1990-04-17",
    "subject_gender": "Male",
    "subject_ethnicity": "Black",
    "subject_age": "36",
    "subject_influencing_factors": "Alchohol",
}
SUBJECT_JUVENILE = {
    "subject_name": "Tyler Roe",
    "subject_date_of_birth": "2010-02-01",
    "subject_gender": "Male",
    "subject_ethnicity": "White",
    "subject_age": "16",
    "subject_influencing_factors": "None detected",
}


def uof_row(pib, officer, subject, force_type, updated_at="2026-11-03T06:00:00.000Z", **more):
    row = {
        "pib_file_number": pib,
        **INCIDENT,
        **officer,
        **subject,
        "use_of_force_type": force_type,
        "use_of_force_level": "L1",
        "use_of_force_effective": "Yes",
        **more,
    }
    row["_source_updated_at"] = updated_at
    return row


ROWS = [
    # FTN2026-0001: two officers, two subjects, officer A used two force types.
    uof_row("FTN2026-0001", OFFICER_A, SUBJECT_ADULT, "Hands"),
    uof_row("FTN2026-0001", OFFICER_A, SUBJECT_ADULT, "Force (Take Down)"),
    uof_row("FTN2026-0001", OFFICER_A, SUBJECT_JUVENILE, "Hands"),
    uof_row("FTN2026-0001", OFFICER_B, SUBJECT_ADULT, "CEW Exhibited/Laser"),
    # ... and an exact duplicate row, as the city's old exports carry.
    uof_row("FTN2026-0001", OFFICER_A, SUBJECT_ADULT, "Hands"),
    # FTN2026-0002 exported twice: the earlier Initial/Pending set is superseded.
    uof_row(
        "FTN2026-0002",
        OFFICER_B,
        SUBJECT_ADULT,
        "Hands",
        updated_at="2026-11-03T01:00:00.000Z",
        investigation_status="Initial",
        disposition="Pending",
    ),
    uof_row("FTN2026-0002", OFFICER_B, SUBJECT_ADULT, "Hands"),
    # A lower-case force tracking number, and a row without one.
    uof_row("ftn2026-0003", OFFICER_A, {}, "Firearm (Exhibited)"),
    uof_row(None, OFFICER_A, SUBJECT_ADULT, "Hands"),
]


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    path = tmp_path_factory.mktemp("uof") / "warehouse.duckdb"
    write_raw_rows(path, ROWS, DAY, table="raw.use_of_force", fields=UOF_FIELDS)
    result = dbt_build(path, DAY, date(2026, 11, 3))
    assert result.returncode == 0, result.stdout[-4000:]
    return path


def incident(warehouse, pib: str) -> dict:
    cursor_rows = query(
        warehouse, "select * from marts.use_of_force where pib_file_number = ?", [pib]
    )
    columns = [row[0] for row in query(warehouse, "describe marts.use_of_force")]
    assert len(cursor_rows) == 1
    return dict(zip(columns, cursor_rows[0], strict=True))


def test_one_public_row_per_incident(warehouse):
    assert query(warehouse, "select pib_file_number from marts.use_of_force order by 1") == [
        ("FTN2026-0001",),
        ("FTN2026-0002",),
        ("FTN2026-0003",),
    ]


def test_officer_values_are_listed_once_per_officer_in_the_same_order(warehouse):
    row = incident(warehouse, "FTN2026-0001")
    assert row["officer_race_ethnicity"] == "Black | White"
    assert row["officer_age"] == "41 | 29"


def test_force_values_are_listed_per_officer_and_force_type(warehouse):
    row = incident(warehouse, "FTN2026-0001")
    assert row["use_of_force_type"] == "Force (Take Down) | Hands | CEW Exhibited/Laser"
    assert row["use_of_force_level"] == "L1 | L1 | L1"


def test_a_juvenile_subjects_age_is_generalized(warehouse):
    assert incident(warehouse, "FTN2026-0001")["subject_age"] == "36 | Juvenile"


def test_misspelled_categories_are_corrected(warehouse):
    assert "Alchohol" not in incident(warehouse, "FTN2026-0001")["subject_influencing_factors"]


def test_the_latest_export_of_an_incident_wins(warehouse):
    row = incident(warehouse, "FTN2026-0002")
    assert (row["investigation_status"], row["disposition"]) == (
        "Completed",
        "Use Of Force Authorized",
    )


def test_names_badges_birth_dates_addresses_and_narratives_are_not_published(warehouse):
    columns = {row[0] for row in query(warehouse, "describe marts.use_of_force")}
    assert not columns & {
        "officer_name", "officer_badge_number", "subject_name", "subject_date_of_birth",
        "incident_address", "narrative",
    }  # fmt: skip
    text = " ".join(
        str(v) for row in query(warehouse, "select * from marts.use_of_force") for v in row
    )
    for private in ("Broussard", "1234", "Marcus Doe", "1990-04-17", "3021 Oliver"):
        assert private not in text


def test_rows_are_accounted_for(warehouse):
    fates = dict(
        query(
            warehouse,
            "select coalesce(fate_reason, fate), count(*) from audit.audit_use_of_force_row_fates "
            "group by all",
        )
    )
    assert fates == {
        "published": 6,
        "exact duplicate row": 1,
        "superseded by a newer export of the incident": 1,
        "missing pib_file_number": 1,
    }


def test_the_public_mart_passes_its_contract(warehouse):
    assert contract_failures(warehouse, "use_of_force", DAY, date(2026, 11, 3)) == set()


def test_the_contract_catches_a_juvenile_age_and_a_subject_name(warehouse, tmp_path):
    import shutil

    import duckdb

    copy = tmp_path / "warehouse.duckdb"
    shutil.copy(warehouse, copy)
    connection = duckdb.connect(str(copy))
    connection.execute("update marts.use_of_force set subject_age = '36 | 16'")
    connection.execute("update marts.use_of_force set division = 'Marcus Doe'")
    connection.close()
    failures = contract_failures(copy, "use_of_force", DAY, date(2026, 11, 3))
    assert any("juvenile" in name for name in failures)
    assert any("subject name" in name for name in failures)
