"""311 under attack: generated requests through the real dbt build, at both precisions.

200 hypothesis-drawn requests are written to one raw day and built twice, at the catalog's
'full' precision (the city publishes the street address) and at 'block'. See `collect.py`.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from orchestration.warehouse.block_addresses import hundred_block
from tests.privacy.addresses import unsafe_parts
from tests.privacy.build import build_models
from tests.privacy.collect import draw_examples
from tests.privacy.private_values import leaked
from tests.privacy.service_requests_311_records import DAY, Request, requests
from tests.warehouse_builder import SERVICE_REQUEST_FIELDS, query, write_raw_rows

pytestmark = pytest.mark.slow

EXAMPLES = 1000
FINAL_ADDRESS = 8  # position in the mart's rows (the city's column order)
SETTINGS = {"block_grid_feet": 300, "repeat_window_days": 7}


@pytest.fixture(scope="module")
def drawn() -> list[Request]:
    return draw_examples(requests(), EXAMPLES)


def build(drawn, directory, precision: str) -> dict[str, tuple]:
    warehouse = directory / "warehouse.duckdb"
    rows = [
        {**request.row, "service_request": f"2026-{index:07d}", "rowid": str(index)}
        for index, request in enumerate(drawn)
    ]
    table, fields = "raw.service_requests_311", SERVICE_REQUEST_FIELDS
    write_raw_rows(warehouse, rows, DAY, table=table, fields=fields)
    settings = {**SETTINGS, "address_precision": precision}
    build_models(warehouse, DAY, DAY + timedelta(days=1), service_requests_311=settings)
    return {row[0]: row for row in query(warehouse, "select * from marts.service_requests_311")}


@pytest.fixture(scope="module")
def published_full(drawn, tmp_path_factory):
    return build(drawn, tmp_path_factory.mktemp("privacy_311_full"), "full")


@pytest.fixture(scope="module")
def published_block(drawn, tmp_path_factory):
    return build(drawn, tmp_path_factory.mktemp("privacy_311_block"), "block")


def leaks(published, private) -> dict[str, set[str]]:
    return {key: found for key, row in published.items() if (found := leaked(row, private))}


def test_the_batch_is_published(drawn, published_full):
    """Not a privacy property: proof that the drawn requests reached the public mart."""
    print(f"{len(drawn)} requests, {len(published_full)} published")
    assert len(published_full) >= 750


def test_no_published_value_contains_the_requesters_name_phone_or_email(drawn, published_full):
    found = leaks(published_full, set().union(*(request.private for request in drawn)))
    assert not found, f"{len(found)} published requests leak: {dict(list(found.items())[:5])}"


def test_at_block_precision_no_published_value_contains_a_full_address(drawn, published_block):
    private = set().union(*({*request.private, request.address} for request in drawn))
    found = leaks(published_block, private)
    assert not found, f"{len(found)} published requests leak: {dict(list(found.items())[:5])}"


def test_at_block_precision_every_address_is_the_house_numbers_block(drawn, published_block):
    """Typed with the number first, last, after a prefix or a #, glued, with units after it."""
    wrong = {}
    for index, request in enumerate(drawn):
        row = published_block.get(f"2026-{index:07d}")
        if row is None or row[FINAL_ADDRESS] is None:
            continue
        address = row[FINAL_ADDRESS]
        if unsafe_parts(address) or hundred_block(request.house_number) not in address:
            wrong[row[0]] = (request.row["final_address"], address)
    assert not wrong, f"{len(wrong)} addresses: {list(wrong.items())[:5]}"
    assert len(published_block) >= 750
