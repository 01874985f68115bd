"""A test that checks each published row on its own reads only the run's window.

The history's rows were checked by the runs that built them; reading fifteen years of them
again every night made the night grow with the archive. `__partition_start__` and
`__partition_end__` in a test's `where` become the run's window (macros/partition_window.sql).
"""

from __future__ import annotations

from datetime import date, timedelta

import duckdb
import pytest

from tests.warehouse_builder import dbt_build, raw_row, write_raw_rows

pytestmark = pytest.mark.integration  # builds a warehouse with dbt: not in make test-fast

DAY = date(2022, 1, 1)
NEXT_DAY = DAY + timedelta(days=1)
TEST = "relationships_calls_for_service_policedistrict"


@pytest.fixture(scope="module")
def unknown_district_on_the_first_day(tmp_path_factory):
    """A warehouse built for its first day whose published call then names no known district."""
    warehouse = tmp_path_factory.mktemp("window_checks") / "warehouse.duckdb"
    write_raw_rows(warehouse, [raw_row("A0000122")], DAY)
    assert dbt_build(warehouse, DAY, NEXT_DAY).returncode == 0
    with duckdb.connect(str(warehouse)) as connection:
        connection.execute("update marts.calls_for_service set policedistrict = '99'")
    return warehouse


def failed(result, test: str) -> bool:
    assert test in result.stdout, result.stdout[-3000:]  # the check ran
    return any(test in line and "FAIL" in line for line in result.stdout.splitlines())


def test_the_check_finds_the_unknown_district_in_its_window(unknown_district_on_the_first_day):
    result = dbt_build(
        unknown_district_on_the_first_day, DAY, NEXT_DAY, command="test", select=f"{TEST}*"
    )
    assert failed(result, TEST), result.stdout[-3000:]


def test_the_check_leaves_the_days_before_its_window_alone(unknown_district_on_the_first_day):
    after = NEXT_DAY + timedelta(days=1)
    result = dbt_build(
        unknown_district_on_the_first_day, NEXT_DAY, after, command="test", select=f"{TEST}*"
    )
    assert not failed(result, TEST), result.stdout[-3000:]
