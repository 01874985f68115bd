"""A key is unique across the whole history, though each run only checks its own window."""

from __future__ import annotations

from datetime import date, timedelta

import duckdb
import pytest

from tests.warehouse_builder import dbt_build, raw_row, write_raw_rows

pytestmark = pytest.mark.integration  # builds warehouses with dbt: not in make test-fast

DAY = date(2022, 1, 1)
NEXT_DAY = DAY + timedelta(days=1)
TEST = "unique_in_history_calls_for_service_nopd_item"


def build(warehouse, day):
    return dbt_build(warehouse, day, day + timedelta(days=1))


def failed(result, test: str) -> bool:
    return any(test in line and "FAIL" in line for line in result.stdout.splitlines())


def next_day_call(nopd_item: str):
    return raw_row(
        nopd_item,
        updated_at="2022-01-03T06:00:00.000Z",
        timecreate="2022-01-02T08:50:00.000",
        timedispatch="2022-01-02T09:24:00.000",
        timearrive="2022-01-02T09:33:00.000",
        timeclosed="2022-01-02T09:49:00.000",
    )


@pytest.fixture
def first_day_built(tmp_path):
    """A warehouse whose first day holds call A0000122, built and passing."""
    warehouse = tmp_path / "warehouse.duckdb"
    write_raw_rows(warehouse, [raw_row("A0000122")], DAY)
    assert build(warehouse, DAY).returncode == 0
    return warehouse


def test_distinct_calls_on_two_days_pass(first_day_built):
    warehouse = first_day_built
    write_raw_rows(warehouse, [next_day_call("A0000222")], NEXT_DAY)
    result = build(warehouse, NEXT_DAY)
    assert result.returncode == 0, result.stdout[-3000:]


def test_a_call_that_moved_to_another_day_and_stands_on_both_fails(first_day_built):
    warehouse = first_day_built
    # The source moved the call to the next day; the first day's partition still holds it.
    write_raw_rows(warehouse, [next_day_call("A0000122")], NEXT_DAY)
    result = build(warehouse, NEXT_DAY)
    assert result.returncode != 0
    assert failed(result, TEST)


def test_a_key_twice_in_the_window_fails(first_day_built):
    warehouse = first_day_built
    with duckdb.connect(str(warehouse)) as connection:
        connection.execute("insert into marts.calls_for_service from marts.calls_for_service")
    # Tested as it stands: a build would replace the window's rows first.
    result = dbt_build(warehouse, DAY, NEXT_DAY, command="test")
    assert failed(result, TEST)
