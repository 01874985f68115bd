"""dbt reads the stewards' decisions beside the seeds: each kind's effect on the calls.

One warehouse of hand-written raw rows and decisions, built with the real dbt project; the
blocking contract holds over the result.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import duckdb
import pytest

from orchestration.corrections.decisions import validate
from orchestration.corrections.table import COLUMNS, TABLE, ensure_table, record
from tests.warehouse_builder import contract_failures, dbt_build, query, raw_row, write_raw_rows

pytestmark = pytest.mark.integration  # builds a warehouse with dbt

DAY = date(2022, 1, 1)
WHO = {"steward": "m.landry", "reason": "reviewed", "dataset": "calls_for_service"}


def new_code(code, text, juvenile, sensitive):
    return {**WHO, "kind": "new_code", "code": code, "public_text": text,
            "is_juvenile": juvenile, "is_sensitive_location": sensitive}  # fmt: skip


DECISIONS = [
    new_code("ZZ1", "NEW SIGNAL ONE", True, False),
    new_code("ZZ2", "AREA CHECK", False, True),
    new_code("ZZ4", "PATROL REQUEST", True, False),
    {**WHO, "kind": "withheld_row", "row_id": "A0000522"},
    {
        **WHO,
        "kind": "duplicate_event",
        "row_id": "A0000722",
        "duplicate_of": "A0000622",
        "decision": "confirmed",
    },
    {**WHO, "kind": "withheld_row", "row_id": "A0000822"},
    {
        **WHO,
        "kind": "canonical_text",
        "code": "21",
        "source_text": "COMPLAINT OTHR",
        "public_text": "COMPLAINT, OTHER",
    },
    # A text for a code nobody classified (written past the recorder's validation).
    {
        **WHO,
        "kind": "canonical_text",
        "code": "ZZ3",
        "source_text": "UNHEARD OF",
        "public_text": "UNHEARD OF",
    },
    # Later decisions on earlier subjects: they supersede.
    new_code("ZZ4", "PATROL REQUEST", False, False),
    {**WHO, "kind": "withheld_row", "row_id": "A0000822", "decision": "release"},
]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    warehouse = tmp_path_factory.mktemp("reviewed") / "warehouse.duckdb"
    rows = [
        raw_row("A0000122", typetext="COMPLAINT OTHR"),
        raw_row("A0000222", type="ZZ1", typetext="NEW SIGNAL ONE", initialtype="ZZ1"),
        raw_row("A0000322", type="ZZ2", typetext="AREA CHECK", initialtype="ZZ2"),
        raw_row("A0000422", type="ZZ3", typetext="UNHEARD OF", initialtype="ZZ3"),
        raw_row("A0000522"),
        raw_row("A0000622", address="1200 Poydras St"),
        raw_row("A0000722", address="1200 Poydras St"),
        raw_row("A0000822"),
        raw_row("A0000922", type="ZZ4", typetext="PATROL REQUEST", initialtype="ZZ4"),
    ]
    write_raw_rows(warehouse, rows, DAY)
    start = datetime(2022, 1, 3, tzinfo=UTC)
    with duckdb.connect(str(warehouse)) as connection:
        for minutes, fields in enumerate(DECISIONS):
            record(connection, [validate(fields)], start + timedelta(minutes=minutes))
    build = dbt_build(warehouse, DAY, DAY + timedelta(days=1))
    assert build.returncode == 0, build.stdout[-3000:]
    return warehouse


def rule_of(warehouse, item: str) -> str | None:
    [(rule,)] = query(
        warehouse,
        "select exclusion_rule from intermediate.int_calls_for_service_privacy_filtered "
        "where nopd_item = ?",
        [item],
    )
    return rule


def published(warehouse, item: str) -> dict | None:
    rows = query(
        warehouse,
        "select typetext, mapx, location from marts.calls_for_service where nopd_item = ?",
        [item],
    )
    return dict(zip(("typetext", "mapx", "location"), rows[0], strict=True)) if rows else None


def test_a_new_code_a_steward_classifies_juvenile_is_withheld_as_juvenile(built):
    assert rule_of(built, "A0000222") == "exclude_juvenile_call_types"
    assert published(built, "A0000222") is None


def test_a_new_code_classified_a_sensitive_location_is_published_without_coordinates(built):
    expected = {"typetext": "AREA CHECK", "mapx": None, "location": None}
    assert published(built, "A0000322") == expected


def test_a_code_nobody_classified_stays_withheld_even_with_a_canonical_text(built):
    assert rule_of(built, "A0000422") == "withhold_unclassified_call_types"


def test_a_stewards_canonical_text_is_the_published_text_of_its_code(built):
    assert published(built, "A0000122")["typetext"] == "COMPLAINT, OTHER"


def test_a_row_a_steward_withholds_is_excluded_by_name(built):
    assert rule_of(built, "A0000522") == "withhold_rows_by_steward"
    [(fate, reason)] = query(
        built,
        "select fate, fate_reason from audit.audit_calls_for_service_row_fates "
        "where nopd_item = 'A0000522'",
    )
    assert (fate, reason) == ("excluded", "withhold_rows_by_steward")


def test_a_confirmed_duplicate_event_withdraws_the_later_item_only(built):
    assert rule_of(built, "A0000722") == "merge_confirmed_duplicate_events"
    assert published(built, "A0000622") is not None


def test_a_later_decision_supersedes_an_earlier_on_the_same_subject(built):
    assert published(built, "A0000822") is not None  # withheld, then released
    assert published(built, "A0000922") is not None  # juvenile, then reviewed as not
    assert query(built, f"select count(*) from {TABLE}") == [(len(DECISIONS),)]


def test_the_contract_holds_over_the_corrected_day(built):
    assert contract_failures(built, "calls_for_service", DAY, DAY + timedelta(days=1)) == set()


def test_dbt_creates_on_a_fresh_warehouse_the_table_the_recorder_writes(tmp_path):
    warehouse = tmp_path / "warehouse.duckdb"
    build = dbt_build(warehouse, DAY, DAY + timedelta(days=1), select="corrections_in_effect")
    assert build.returncode == 0, build.stdout[-3000:]
    columns = "select column_name, data_type from information_schema.columns " + (
        "where table_schema = 'stewards' and table_name = 'corrections' order by ordinal_position"
    )
    with duckdb.connect() as connection:
        ensure_table(connection)
        expected = connection.execute(columns).fetchall()
    assert query(warehouse, columns) == expected
    assert [name for name, _ in expected] == [name for name, _ in COLUMNS]
