"""Figure `delta_publish`: a day's change set costs the portal its rows, not the dataset's.

A calls-for-service mart of about `--rows` rows (a year and more of the city's volume) is
published whole to a local portal with the full-refresh path, the baseline. Then a realistic
day arrives: the new day's calls, plus late changes to the two days before (2% reclassified,
1% closed late and published for the first time, 0.2% withdrawn). The delta publish of those
three days must send exactly the change set; publishing them again must send nothing. The
figures are rows sent against the dataset's size, and the delta's time against the full
publish's.

The mart is written by SQL rather than built by dbt: what is measured is the publisher, and
its cost depends on row counts, not on how the rows were cleaned.
"""

from __future__ import annotations

import tempfile
import time
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import duckdb

from orchestration.catalog import CALLS_FOR_SERVICE
from orchestration.partitions import DayWindow
from orchestration.publishing.provision import apply_columns
from orchestration.publishing.send import publish_window, replace_dataset
from orchestration.socrata.client import SocrataClient
from orchestration.warehouse.sql import quote_identifier
from tooling.benchmark.context import BenchContext
from tooling.benchmark.figures import Figure, FigureResult, Row, Status
from tooling.local_portal.server import serve_in_thread

NAME = "delta_publish"
DATASET = CALLS_FOR_SERVICE.published
ROWS_PER_DAY = 1_100  # New Orleans' calls for service: about 400,000 closed calls a year
FIRST_DAY = date(2024, 1, 1)
RECLASSIFIED, CLOSED_LATE, WITHDRAWN = 0.02, 0.01, 0.002
CREDENTIALS = ("bench", "bench-password")

# Each public column as SQL of the row number `n` and its day number `d`.
COLUMNS = {
    "nopd_item": "'B' || lpad(cast(n as varchar), 8, '0')",
    "type_": "(['21', '62A', '103D', 'TRAF', 'SUSP'])[1 + n % 5]",
    "typetext": "(['COMPLAINT OTHER', 'DISCHARGING FIREARM', 'DOMESTIC DISTURBANCE', "
    "'TRAFFIC INCIDENT', 'SUSPICIOUS PERSON'])[1 + n % 5]",
    "priority": "(['1J', '2A', '1B'])[1 + n % 3]",
    "mapx": "3680000.0 + (n % 1000) * 37",
    "mapy": "530000.0 + (n % 997) * 41",
    "timecreate": "cast(date '{first}' + cast(d as integer) as timestamp) "
    "+ to_seconds(cast((n % {per_day}) * 86000 / {per_day} as bigint))",
    "disposition": "'RTF'",
    "dispositiontext": "'REPORT TO FOLLOW'",
    "beat": "'6E04'",
    "block_address": "'025XX Canal St'",
    "zip": "'70119'",
    "policedistrict": "'1'",
}


@dataclass(frozen=True)
class ChangeSet:
    creates: int
    updates: int
    deletes: int

    @property
    def rows(self) -> int:
        return self.creates + self.updates + self.deletes


def _sql_type(data_type: str) -> str:
    return {"number": "double", "calendar_date": "timestamp"}.get(data_type, "varchar")


def write_mart(connection: duckdb.DuckDBPyConnection, days: int, first_row: int = 0) -> None:
    """Append `days` days of calls, `ROWS_PER_DAY` a day, numbered from `first_row`."""
    selected = []
    for column in DATASET.public_columns:
        expression = COLUMNS.get(column.field_name)
        if expression is None:
            expression = f"cast(null as {_sql_type(column.data_type)})"
        expression = expression.format(first=FIRST_DAY.isoformat(), per_day=ROWS_PER_DAY)
        selected.append(f"{expression} as {quote_identifier(column.field_name)}")
    connection.execute("create schema if not exists marts")
    definitions = ", ".join(
        f"{quote_identifier(c.field_name)} {_sql_type(c.data_type)}" for c in DATASET.public_columns
    )
    connection.execute(f"create table if not exists {DATASET.mart_table} ({definitions})")
    connection.execute(
        f"insert into {DATASET.mart_table} select {', '.join(selected)} from ("
        f"select n, n // {ROWS_PER_DAY} as d from range(?, ?) t(n))",
        [first_row, first_row + days * ROWS_PER_DAY],
    )


def apply_change_set(connection: duckdb.DuckDBPyConnection, days: int) -> ChangeSet:
    """A new day, and late changes to the two days before it."""
    table = DATASET.mart_table
    write_mart(connection, 1, first_row=days * ROWS_PER_DAY)
    earlier = f"timecreate >= cast(date '{FIRST_DAY}' + {days - 2} as timestamp)"
    per_two_days = 2 * ROWS_PER_DAY
    reclassified = round(per_two_days * RECLASSIFIED)
    withdrawn = round(per_two_days * WITHDRAWN)
    closed_late = round(per_two_days * CLOSED_LATE)
    day_end = f"timecreate < cast(date '{FIRST_DAY}' + {days} as timestamp)"
    connection.execute(
        f"update {table} set type_ = '62C', typetext = 'SIMPLE BURGLARY VEHICLE' "
        f"where nopd_item in (select nopd_item from {table} where {earlier} and {day_end} "
        f"order by nopd_item limit {reclassified})"
    )
    connection.execute(
        f"delete from {table} where nopd_item in (select nopd_item from {table} "
        f"where {earlier} and {day_end} order by nopd_item desc limit {withdrawn})"
    )
    connection.execute(
        f"insert into {table} by name select 'L' || substr(nopd_item, 2) as nopd_item, "
        f"* exclude (nopd_item) from {table} where {earlier} and {day_end} "
        f"order by nopd_item limit {closed_late}"
    )
    return ChangeSet(creates=ROWS_PER_DAY + closed_late, updates=reclassified, deletes=withdrawn)


def measure(context: BenchContext) -> FigureResult:
    days = max(3, context.rows // ROWS_PER_DAY)
    with tempfile.TemporaryDirectory(dir=context.work_dir, prefix="delta-") as work:
        root = Path(work)
        with (
            serve_in_thread(
                root / "portal", username=CREDENTIALS[0], password=CREDENTIALS[1]
            ) as portal,
            SocrataClient(
                f"{portal.host}:{portal.port}", username=CREDENTIALS[0], password=CREDENTIALS[1]
            ) as client,
            duckdb.connect(str(root / "warehouse.duckdb")) as connection,
        ):
            context.say(f"{NAME}: a mart of {days} days of calls, published whole ...")
            write_mart(connection, days)
            dataset_id = apply_columns(client, DATASET, None)  # a new dataset, as a city would
            full = replace_dataset(
                client, connection, DATASET, dataset_id=dataset_id, run_id="bench-full"
            )
            context.say(f"{NAME}: full publish of {full.rows_sent:,} rows in {full.seconds} s")

            expected = apply_change_set(connection, days)
            window = DayWindow(
                FIRST_DAY + timedelta(days=days - 2), FIRST_DAY + timedelta(days + 1)
            )
            started = time.monotonic()
            delta = publish_window(
                client, connection, DATASET, window, dataset_id=dataset_id, run_id="bench-day"
            )
            delta_seconds = time.monotonic() - started
            again = publish_window(
                client, connection, DATASET, window, dataset_id=dataset_id, run_id="bench-again"
            )
            (size,) = connection.execute(f"select count(*) from {DATASET.mart_table}").fetchone()

    plan = delta.plan
    rows = [
        Row("dataset size", size, f"rows ({days + 1} days of calls for service)"),
        Row("full publish (baseline)", full.seconds, f"s, {full.rows_sent:,} rows sent"),
        Row("day's change set", expected.rows, f"rows ({expected.creates:,} new, "
            f"{expected.updates:,} changed, {expected.deletes:,} withdrawn)"),
        Row("delta publish, 3 days", round(delta_seconds, 2), f"s, {delta.rows_sent:,} rows "
            f"sent ({plan.creates:,} created, {plan.updates:,} updated, {plan.deletes:,} deleted)"),
        Row("rows sent / dataset size", round(delta.rows_sent / size, 5), ""),
        Row("delta time / full publish", round(delta_seconds / full.seconds, 3), ""),
        Row("unchanged republish", again.rows_sent, "rows sent (target: 0)"),
    ]  # fmt: skip
    sent_exactly = (plan.creates, plan.updates, plan.deletes) == (
        expected.creates,
        expected.updates,
        expected.deletes,
    )
    if sent_exactly and again.rows_sent == 0:
        return FigureResult(tuple(rows))
    message = (
        f"sent {plan.creates}/{plan.updates}/{plan.deletes} (create/update/delete) for a change "
        f"set of {expected.creates}/{expected.updates}/{expected.deletes}, and "
        f"{again.rows_sent} rows when nothing had changed"
    )
    return FigureResult(tuple(rows), Status.MISSED, message)


FIGURE = Figure(NAME, "rows a day's change set sends, against the dataset's size", measure)
