"""Calls for service under attack: generated calls through the real dbt build.

1,500 hypothesis-drawn calls (some reclassified inside the 36-hour window; house numbers in
any position and form, unit designators; a quarter of the types under codes no seed lists)
are written to one raw day and built once; every property is then checked on every call.
See `collect.py` for why the examples are batched.
"""

from __future__ import annotations

from datetime import date

import pytest

from orchestration.warehouse.block_addresses import hundred_block
from tests.privacy.addresses import unsafe_parts
from tests.privacy.build import build_models
from tests.privacy.calls_for_service_records import CLASSIFIED_CODES, DAY, CallCase, call_cases
from tests.privacy.collect import draw_examples
from tests.privacy.private_values import leaked
from tests.warehouse_builder import query, write_raw_rows

pytestmark = pytest.mark.slow

EXAMPLES = 1500
# Positions in the mart's rows (the city's column order): type_, initialtype, block_address.
TYPE, INITIAL_TYPE, BLOCK_ADDRESS = 1, 4, 17
WINDOW = (date(2022, 1, 1), date(2022, 1, 2))
assert DAY.date() == WINDOW[0]


def nopd_item(index: int) -> str:
    return f"A{index:05d}22"


@pytest.fixture(scope="module")
def cases() -> list[CallCase]:
    return draw_examples(call_cases(), EXAMPLES)


@pytest.fixture(scope="module")
def published(cases, tmp_path_factory) -> dict[str, tuple]:
    """The public mart's rows by nopd_item, after one build over every case's versions."""
    warehouse = tmp_path_factory.mktemp("privacy_cfs") / "warehouse.duckdb"
    rows = [
        {**version, "nopd_item": nopd_item(index)}
        for index, case in enumerate(cases)
        for version in case.versions
    ]
    write_raw_rows(warehouse, rows, WINDOW[0])
    build_models(warehouse, *WINDOW)
    return {row[0]: row for row in query(warehouse, "select * from marts.calls_for_service")}


def test_the_batch_exercises_every_attack(cases, published):
    """Not a privacy property: proof that the draw reached the cases the properties are about."""
    print(f"{len(cases)} calls, {sum(len(c.versions) for c in cases)} versions, "
          f"{sum(c.is_juvenile for c in cases)} juvenile, {len(published)} published")  # fmt: skip
    assert len(cases) == EXAMPLES
    assert sum(c.is_juvenile for c in cases) >= 250
    assert sum(c.is_unclassified for c in cases) >= 100
    assert sum(len(c.versions) == 2 for c in cases) >= 250
    assert len(published) >= 300


def test_no_published_value_contains_a_name_phone_or_full_address_from_the_input(cases, published):
    private = set().union(*(case.private for case in cases))
    leaks = {item: found for item, row in published.items() if (found := leaked(row, private))}
    assert not leaks, f"{len(leaks)} published calls leak: {dict(list(leaks.items())[:5])}"


def test_no_call_that_was_ever_juvenile_is_published(cases, published):
    juvenile = {nopd_item(index): case for index, case in enumerate(cases) if case.is_juvenile}
    shown = sorted(set(juvenile) & set(published))
    assert not shown, (
        f"{len(shown)} juvenile calls published, e.g. "
        f"{[(item, juvenile[item].versions) for item in shown[:3]]}"
    )


def test_no_call_under_an_unclassified_type_code_is_published(cases, published):
    """Held, not published: a code the call_types seed lacks, final or initial."""
    unclassified = {
        item: (row[TYPE], row[INITIAL_TYPE])
        for item, row in published.items()
        if row[TYPE] not in CLASSIFIED_CODES
        or (row[INITIAL_TYPE] is not None and row[INITIAL_TYPE] not in CLASSIFIED_CODES)
    }
    assert not unclassified, f"{len(unclassified)} published: {list(unclassified.items())[:5]}"
    held = [nopd_item(i) for i, case in enumerate(cases) if case.is_unclassified]
    assert not set(held) & set(published)


def test_every_published_address_is_the_house_numbers_block_and_nothing_more(cases, published):
    """Typed with the number first, last, after a prefix or a #, glued, with units after it."""
    wrong = {}
    for index, case in enumerate(cases):
        row = published.get(nopd_item(index))
        if row is None or row[BLOCK_ADDRESS] is None:
            continue
        block_address = row[BLOCK_ADDRESS]
        if unsafe_parts(block_address) or hundred_block(case.house_number) not in block_address:
            wrong[nopd_item(index)] = (case.versions[0]["address"], block_address)
    assert not wrong, f"{len(wrong)} addresses: {list(wrong.items())[:5]}"
