"""A night's publish plan reads the window's rows, not the history's.

The nightly run plans a few days against a ledger and marts that grow for fifteen years; a
plan that scans them whole costs more every year (issue 20). DuckDB's own profile says how
many rows each table scan let through after the filters it pushed down: for the night's
plan, at most the window's rows of every mart and of the ledger, however long the history.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from orchestration.catalog import POLICE_RESPONSE_TIMES, PublishedDataset
from orchestration.partitions import DayWindow
from orchestration.publishing.ledger import LEDGER_TABLE, record_chunk
from orchestration.publishing.plan import PLAN_TABLE, stage_delta_plan
from orchestration.publishing.settling import settling_hold
from orchestration.warehouse.sql import quote_identifier
from tests.duckdb_profile import ProfiledConnection
from tests.publishing.conftest import DATASET as CALLS
from tests.publishing.conftest import SQL_TYPES

HISTORY_DAYS = 30
# A day of calls is a sixth of a DuckDB row group (122,880 rows): the history spans five
# row groups of each table, and the night's three days at most two.
CALLS_A_DAY = 20_000
ROW_GROUP = 122_880
FIRST_DAY = date(2026, 9, 1)
LAST_DAY = FIRST_DAY + timedelta(days=HISTORY_DAYS - 1)
NIGHT = DayWindow(LAST_DAY - timedelta(days=2), LAST_DAY + timedelta(days=1))
# Published before tonight: a backfill of all days but the last three, then two nights.
BACKFILL = DayWindow(FIRST_DAY, LAST_DAY - timedelta(days=2))
NIGHTS = (
    DayWindow.for_day(LAST_DAY - timedelta(days=2)),
    DayWindow.for_day(LAST_DAY - timedelta(days=1)),
)
# Every call closed long ago by the time the night runs: nothing is held.
NOW = datetime(2027, 1, 1).astimezone()


def write_calls(connection: duckdb.DuckDBPyConnection) -> None:
    """The calls mart, day after day as the nights build it: CALLS_A_DAY closed calls a day."""
    columns = {c.field_name: SQL_TYPES.get(c.data_type, "varchar") for c in CALLS.public_columns}
    created = (
        f"timestamp '{FIRST_DAY}' + to_days(cast(i // {CALLS_A_DAY} as integer)) "
        f"+ to_seconds((i % {CALLS_A_DAY}) * {86_400 // CALLS_A_DAY})"
    )
    values = {
        # Item numbers out of day order (the city's restart each year, and a letter leads
        # them), so no zone map of the identifiers stands in for the day's.
        "nopd_item": f"format('K{{:08d}}-26', (i * 7919) % {HISTORY_DAYS * CALLS_A_DAY})",
        "timecreate": created,
        "timeclosed": f"{created} + interval 40 minutes",
        "typetext": "'COMPLAINT OTHER'",
    }
    select = ", ".join(
        f"cast({values.get(name, 'null')} as {kind}) as {quote_identifier(name)}"
        for name, kind in columns.items()
    )
    connection.execute("create schema if not exists marts")
    connection.execute(
        f"create table {CALLS.mart_table} as select {select} "
        f"from range({HISTORY_DAYS * CALLS_A_DAY}) as r(i)"
    )


def write_response_times(connection: duckdb.DuckDBPyConnection) -> None:
    """The derived mart: a figure row a day (the plan reads only its public columns)."""
    columns = POLICE_RESPONSE_TIMES.public_columns
    definitions = ", ".join(
        f"{quote_identifier(c.field_name)} {SQL_TYPES.get(c.data_type, 'varchar')}" for c in columns
    )
    connection.execute(f"create table {POLICE_RESPONSE_TIMES.mart_table} ({definitions})")
    connection.execute(
        f"insert into {POLICE_RESPONSE_TIMES.mart_table} (response_time_id, call_date, calls) "
        f"select strftime(d, '%Y-%m-%d') || '|1|1J|N', d, 3 from range("
        f"timestamp '{FIRST_DAY}', timestamp '{LAST_DAY + timedelta(days=1)}', interval 1 day"
        ") as r(d)"
    )


def record_as_published(
    connection: duckdb.DuckDBPyConnection, dataset: PublishedDataset, window: DayWindow
) -> None:
    """The ledger as a publish of `window` leaves it."""
    hold = settling_hold(dataset, (CALLS,), NOW, window)
    plan = stage_delta_plan(connection, dataset, window, dataset.public_dataset_id, hold)
    record_chunk(
        connection,
        PLAN_TABLE,
        1,
        plan.rows_to_send,
        dataset_id=dataset.public_dataset_id,
        run_id="history",
    )


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Thirty days of calls and of their figures, published but for the last day, which is
    new tonight; a call of the day before was reclassified since. The night has creates
    (looked up in the ledger by identifier) and an update to plan."""
    warehouse = tmp_path_factory.mktemp("history") / "warehouse.duckdb"
    with duckdb.connect(str(warehouse)) as connection:
        write_calls(connection)
        write_response_times(connection)
        for window in (BACKFILL, *NIGHTS):
            for dataset in (CALLS, POLICE_RESPONSE_TIMES):
                record_as_published(connection, dataset, window)
        connection.execute(
            f"update {CALLS.mart_table} set typetext = 'RECLASSIFIED' "
            f"where cast(timecreate as date) = ? and nopd_item like '%0-26'",
            [LAST_DAY - timedelta(days=1)],
        )
    return warehouse


def night_scans(
    warehouse: Path, dataset: PublishedDataset, tmp_path: Path
) -> list[tuple[str, int]]:
    with duckdb.connect(str(warehouse)) as raw:
        connection = ProfiledConnection(raw, tmp_path / "profile.json")
        hold = settling_hold(dataset, (CALLS,), NOW, NIGHT)
        plan = stage_delta_plan(connection, dataset, NIGHT, dataset.public_dataset_id, hold)  # type: ignore[arg-type]
        assert (plan.creates, plan.updates > 0) == (
            (CALLS_A_DAY, True) if dataset is CALLS else (1, False)
        )
        return connection.scanned


@pytest.mark.parametrize("dataset", [CALLS, POLICE_RESPONSE_TIMES], ids=lambda d: d.name)
def test_the_nights_plan_reads_no_more_than_the_windows_row_groups_of_any_table(
    history, dataset, tmp_path
):
    scans = night_scans(history, dataset, tmp_path)
    assert {table for table, _ in scans} >= {dataset.mart_table, LEDGER_TABLE}
    past = [(table, rows) for table, rows in scans if rows > 2 * ROW_GROUP]
    assert not past, f"scans past the night's {NIGHT.start}..{NIGHT.end}: {past}"
