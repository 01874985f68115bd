"""A full daily run on the embedded default, end to end, in a temporary directory."""

from __future__ import annotations

import re
from collections import defaultdict

import duckdb
import pytest

from orchestration.catalog import CALLS_FOR_SERVICE
from tests.pipeline.conftest import DAY

pytestmark = pytest.mark.integration

HUNDRED_BLOCK = re.compile(r"^[0-9]{3,}XX \S")
HOUSE_NUMBER = re.compile(r"^\s*[0-9]+([A-Za-z]|-[A-Za-z0-9]+)?\s")


@pytest.fixture(scope="module")
def published(platform):
    result = platform.run_daily_job()
    assert result.success
    return platform.published_rows()


def internal_rows(platform) -> list[dict]:
    path = platform.root / "portal" / "internal" / f"{CALLS_FOR_SERVICE.internal_dataset_id}.csv"
    connection = duckdb.connect()
    cursor = connection.execute(
        "select * from read_csv(?, all_varchar = true, header = true)", [str(path)]
    )
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def test_the_day_is_published_with_the_citys_columns(published):
    assert published
    public_fields = set(CALLS_FOR_SERVICE.published.public_field_names)
    data_fields = {field for row in published for field in row if not field.startswith(":")}
    assert data_fields <= public_fields
    assert {"nopd_item", "block_address", "timeclosed", "location"} <= data_fields
    assert all(row["timecreate"].startswith(DAY.isoformat()) for row in published)


def test_no_caller_names_phones_or_narratives_anywhere(platform, published):
    private = set()
    for row in internal_rows(platform):
        if not row["timecreate"] or not row["timecreate"].startswith(DAY.isoformat()):
            continue
        private |= {row[f] for f in ("caller_name", "caller_phone", "narrative") if row[f]}
    assert private, "the generated source should contain private details to remove"
    published_values = {value for row in published for value in row.values()}
    assert not private & published_values
    text = " | ".join(published_values)
    assert not any(value in text for value in private if len(value) > 6)


def test_every_block_address_is_a_hundred_block_or_an_intersection_or_a_place(published):
    addresses = [row["block_address"] for row in published if "block_address" in row]
    assert any(HUNDRED_BLOCK.match(address) for address in addresses)
    assert any(" & " in address for address in addresses)
    house_numbers = [a for a in addresses if HOUSE_NUMBER.match(a) and not HUNDRED_BLOCK.match(a)]
    assert house_numbers == []


def test_no_juvenile_call_types_are_published(platform, published):
    from tests.warehouse_builder import query

    codes = {
        code
        for (code,) in query(platform.warehouse, "select type_code from rules.juvenile_call_types")
    }
    assert not any(
        row.get("type_") in codes or row.get("initialtype") in codes for row in published
    )
    assert not any("JUVENILE" in row.get("typetext", "") for row in published)


def test_no_open_calls_are_published(published):
    assert all(row.get("timeclosed") for row in published)


def test_nopd_item_is_unique(published):
    items = [row["nopd_item"] for row in published]
    assert len(items) == len(set(items))


def test_one_typetext_per_type(published):
    texts = defaultdict(set)
    for row in published:
        texts[row["type_"]].add(row.get("typetext"))
    assert all(len(values) == 1 for values in texts.values())


def test_broken_source_rows_are_quarantined_with_reasons_and_counted(platform, published):
    from tests.warehouse_builder import query

    reasons = dict(
        query(
            platform.warehouse,
            "select fate_reason, count(*) from audit.audit_calls_for_service_row_fates "
            "where fate = 'quarantined' group by all",
        )
    )
    assert reasons, "the generated day should contain rows that break their types"
    assert all(reason for reason in reasons)


def test_a_second_run_leaves_the_same_published_rows(platform, published):
    assert platform.run_daily_job().success
    again = platform.published_rows()
    assert sorted(r["nopd_item"] for r in again) == sorted(r["nopd_item"] for r in published)
    assert len(again) == len(published)
