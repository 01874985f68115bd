"""The calls-for-service contract passes a clean mart and catches what must not be published."""

from __future__ import annotations

import shutil
from datetime import date

import duckdb
import pytest

from orchestration.quality.soda import contract_path, verify
from tests.warehouse_builder import dbt_build, raw_row, write_raw_rows

pytestmark = pytest.mark.integration  # builds warehouses with dbt: not in make test-fast

DAY = date(2022, 1, 1)
WINDOW = {"WINDOW_START": "2022-01-01", "WINDOW_END": "2022-01-02"}


@pytest.fixture(scope="module")
def clean_warehouse(tmp_path_factory):
    path = tmp_path_factory.mktemp("contract") / "warehouse.duckdb"
    rows = [raw_row(f"A{n:05d}22", type="94", typetext="DISCHARGING FIREARM") for n in range(1, 6)]
    write_raw_rows(path, rows, DAY)
    result = dbt_build(path, DAY, date(2022, 1, 2))
    assert result.returncode == 0, result.stdout[-3000:]
    return path


@pytest.fixture
def warehouse(clean_warehouse, tmp_path):
    copy = tmp_path / "warehouse.duckdb"
    shutil.copy(clean_warehouse, copy)
    return copy


def tamper(warehouse, sql: str) -> None:
    connection = duckdb.connect(str(warehouse))
    try:
        connection.execute(sql)
    finally:
        connection.close()


def failed_checks(warehouse) -> set[str]:
    connection = duckdb.connect(str(warehouse), read_only=True)
    try:
        outcome = verify(connection, contract_path("calls_for_service"), WINDOW)
    finally:
        connection.close()
    assert not outcome.errors, outcome.errors
    return {check.name for check in outcome.failed_checks}


def copy_of_first_row(**changes) -> str:
    assignments = ", ".join(f"{value} as {column}" for column, value in changes.items())
    columns = f"* replace ({assignments})" if changes else "*"
    return (
        f"insert into marts.calls_for_service select {columns} from marts.calls_for_service limit 1"
    )


def test_a_clean_mart_passes(warehouse):
    assert failed_checks(warehouse) == set()


ADDRESS_CHECK = (
    "addresses only as hundred-blocks, intersections and reviewed named places "
    "(no other number, no unit)"
)


# Issue 16's examples: each a shape the model's old mask let through, and the old check with
# it (it used the model's own pattern). The first is a row the city itself published.
@pytest.mark.parametrize(
    "address",
    [
        "4012 Canal St",
        "Approx Loc:7238 Downman Rd",
        "#3021 Oliver White Ave",
        "Rear 3021 Oliver White Ave",
        "3021Oliver White Ave",
        "Oliver White Ave 3021",
        "030XX Oliver White Ave Apt 4",
        "030XX Oliver White Ave Unit B",
        "030XX Oliver White Ave Ste 200",
        "030XX Oliver White Ave # 5",
        "I-520 E",
    ],
)
def test_an_address_with_a_number_or_unit_that_is_not_a_block_fails(warehouse, address):
    tamper(warehouse, f"update marts.calls_for_service set block_address = '{address}'")
    assert ADDRESS_CHECK in failed_checks(warehouse)


# Shapes the city's real rows publish: hundred-blocks (X and XX below 100, `Blk` in 2011),
# ordinal streets, intersections and named places of the reviewed seed.
@pytest.mark.parametrize(
    "address",
    [
        "011XX 8th St",
        "2nd St & Magazine St",
        "X Canal St",
        "XX Audubon Pl",
        "002XX Blk Bourbon St",
        "I-10 W",
        "Read Blvd & N I-10 Service Rd",
        "Approx Loc:I-610 W Onramp St Bernard",
        "St Claude Bridge Eastbound",
    ],
)
def test_blocks_ordinal_streets_intersections_and_named_places_pass(warehouse, address):
    tamper(warehouse, f"update marts.calls_for_service set block_address = '{address}'")
    assert failed_checks(warehouse) == set()


def test_an_unclassified_type_code_fails(warehouse):
    tamper(warehouse, copy_of_first_row(nopd_item="'A0009622'", type_="'CHILDEND'"))
    assert "type_: a classified call type (a code of the rules seed)" in failed_checks(warehouse)


@pytest.mark.parametrize(
    "typed", ["Runaway juvenile", "CHILD ENDANGERMENT", "MISSING TEEN", "CURFEW VIOLATION"]
)
def test_a_juvenile_text_the_source_typed_fails_whatever_the_mart_shows(warehouse, typed):
    """The mart is left as built: the check reads the source's own text for the call."""
    tamper(
        warehouse,
        f"update raw.calls_for_service set typetext = '{typed}' where nopd_item = 'A0000122'",
    )
    assert any("juvenile" in name for name in failed_checks(warehouse))


@pytest.mark.parametrize(
    "typed", ["SEXUAL ASSAULT", "MISDEMEANOR SEXUAL BATTERY", "MENTAL PERSON: NON VIOLENT"]
)
def test_coordinates_for_a_call_the_source_typed_as_sensitive_fail(warehouse, typed):
    tamper(
        warehouse,
        f"update raw.calls_for_service set initialtypetext = '{typed}' "
        "where nopd_item = 'A0000122'",
    )
    assert any("sexual-offence or mental-health" in name for name in failed_checks(warehouse))


def test_a_type_text_other_than_the_rule_tables_fails(warehouse):
    tamper(
        warehouse,
        "update marts.calls_for_service set typetext = 'DISCHARGING FIREARM AT 3021 OLIVER'",
    )
    assert "type and disposition texts exactly as the rule tables spell them for the code" in (
        failed_checks(warehouse)
    )


def test_a_juvenile_call_type_fails(warehouse):
    tamper(warehouse, copy_of_first_row(nopd_item="'A0009922'", initialtype="'21J'"))
    assert any("juvenile" in name for name in failed_checks(warehouse))


def test_an_open_call_fails(warehouse):
    tamper(warehouse, "update marts.calls_for_service set timeclosed = null")
    assert "timeclosed: only closed calls are published" in failed_checks(warehouse)


def test_a_duplicate_nopd_item_fails(warehouse):
    tamper(warehouse, copy_of_first_row())
    assert any(
        name.startswith("nopd_item") and "duplicate" in name.lower()
        for name in failed_checks(warehouse)
    )


def test_an_extra_column_fails_the_schema(warehouse):
    tamper(warehouse, "alter table marts.calls_for_service add column caller_name varchar")
    assert any("schema" in name.lower() for name in failed_checks(warehouse))


def test_two_texts_for_one_type_fail(warehouse):
    tamper(warehouse, copy_of_first_row(nopd_item="'A0009822'", typetext="'DISCHARGING FIREARMS'"))
    assert "one typetext per type" in failed_checks(warehouse)


def test_a_callers_name_in_any_published_column_fails(warehouse):
    tamper(warehouse, "update marts.calls_for_service set dispositiontext = 'Marie Boudreaux'")
    assert any("caller name" in name for name in failed_checks(warehouse))


@pytest.mark.parametrize("written", ["MARIE BOUDREAUX", "marie boudreaux", "Marie BOUDREAUX"])
def test_a_callers_name_in_another_case_fails(warehouse, written):
    tamper(warehouse, f"update marts.calls_for_service set dispositiontext = '{written}'")
    assert any("caller name" in name for name in failed_checks(warehouse))


def test_a_callers_name_with_its_accents_dropped_fails(warehouse):
    tamper(warehouse, "update raw.calls_for_service set caller_name = 'Renée Thibodeaux'")
    tamper(warehouse, "update marts.calls_for_service set dispositiontext = 'RENEE THIBODEAUX'")
    assert any("caller name" in name for name in failed_checks(warehouse))


def test_soda_makes_no_network_call(warehouse, monkeypatch):
    import socket

    attempts = []

    def refuse(self, address, *args, **kwargs):
        attempts.append(address)
        raise OSError("outbound connections are blocked in this test")

    monkeypatch.delenv("SODA_CORE_TELEMETRY_ENABLED", raising=False)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    assert failed_checks(warehouse) == set()
    assert attempts == []
