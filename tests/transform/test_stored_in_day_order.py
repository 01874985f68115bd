"""A backfill stores the history's rows in day order, so a night touches only its own days.

DuckDB skips a row group by its min and max (zone maps). Rows stored in the order a
backfill's joins hand them on put every day in most row groups, and each night's delete of
its window and each read of it then touch row groups across the whole history.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests.warehouse_builder import dbt_build, query, raw_row, write_raw_rows

pytestmark = pytest.mark.integration  # builds a warehouse with dbt: not in make test-fast

FIRST_DAY = date(2022, 1, 3)
DAYS = [FIRST_DAY + timedelta(days=offset) for offset in range(6)]
CALLS_A_DAY = 4


def calls_of(day: date) -> list[dict]:
    """`CALLS_A_DAY` calls created on `day`, their item numbers out of day order."""
    rows = []
    for index in range(CALLS_A_DAY):
        sequence = (len(DAYS) - (day - FIRST_DAY).days) * 100 + index
        at = f"{day.isoformat()}T{8 + index:02d}"
        rows.append(
            raw_row(
                f"A{sequence:05d}22",
                updated_at=f"{(day + timedelta(days=1)).isoformat()}T06:00:00.000Z",
                timecreate=f"{at}:50:00.000",
                timedispatch=f"{at}:54:00.000",
                timearrive=f"{at}:57:00.000",
                timeclosed=f"{at}:59:00.000",
            )
        )
    return rows


@pytest.fixture(scope="module")
def backfilled(tmp_path_factory):
    """Six days of calls loaded latest day first, then built as one backfill."""
    warehouse = tmp_path_factory.mktemp("day_order") / "warehouse.duckdb"
    for day in reversed(DAYS):
        write_raw_rows(warehouse, calls_of(day), day)
    result = dbt_build(
        warehouse,
        DAYS[0],
        DAYS[-1] + timedelta(days=1),
        # the two tables and what they are built from; the seeds their tests check against
        select=(
            "+calls_for_service +audit_calls_for_service_row_fates dispositions police_districts"
        ),
    )
    assert result.returncode == 0, result.stdout[-3000:]
    return warehouse


def days_as_stored(warehouse, table: str, day: str) -> list[date]:
    """Each row's day, in the order the table stores its rows."""
    return [row[0] for row in query(warehouse, f"select {day} from {table} order by rowid")]


def test_the_calls_mart_stores_its_rows_in_day_order(backfilled):
    stored = days_as_stored(backfilled, "marts.calls_for_service", "cast(timecreate as date)")
    assert len(stored) == len(DAYS) * CALLS_A_DAY
    assert stored == sorted(stored)


def test_the_row_fates_audit_stores_its_rows_in_day_order(backfilled):
    stored = days_as_stored(backfilled, "audit.audit_calls_for_service_row_fates", "partition_date")
    assert len(stored) == len(DAYS) * CALLS_A_DAY
    assert stored == sorted(stored)
