"""Loading a window of a source's internal rows into the raw schema, as they are.

Rows are streamed page by page from the portal into DuckDB (Arrow in between), so memory
holds one page, never a whole dataset. The window's old raw rows are replaced in the same
transaction, so a rerun of a day leaves exactly the source's current rows for that day.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import duckdb
import pyarrow as pa

from orchestration.catalog import Source
from orchestration.partitions import DayWindow
from orchestration.socrata.client import SocrataClient

# Load metadata columns, beside the source's own fields.
LOAD_COLUMNS = {
    "_source_row_id": "varchar",
    "_source_updated_at": "varchar",
    "_partition_date": "date",
    "_load_run_id": "varchar",
    "_loaded_at": "timestamp",
    "_source_dataset_id": "varchar",
    "_source_rows_updated_at": "timestamp",
}
SYSTEM_FIELDS = {":id": "_source_row_id", ":updated_at": "_source_updated_at"}
# Metadata key of a raw materialization: the newest source `:updated_at` it loaded.
NEWEST_ROW_UPDATED_AT = "newest_row_updated_at"


class SourceDatasetMissing(RuntimeError):
    """The internal portal has no dataset with the configured id."""


@dataclass(frozen=True)
class RawLoad:
    """What one load did, for the materialization's metadata."""

    rows_loaded: int
    rows_expected: int
    rows_replaced: int
    pages: int
    seconds: float
    source_dataset_id: str
    source_rows_updated_at: datetime | None
    new_columns: tuple[str, ...]
    # The newest `:updated_at` among the window's rows: the change sensor compares it with
    # the source's, so a day already loaded after its last change is not requested again.
    newest_row_updated_at: str | None = None


def quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def source_fields(view: dict[str, Any]) -> list[str]:
    return [column["fieldName"] for column in view.get("columns", [])]


def rows_updated_at(view: dict[str, Any]) -> datetime | None:
    stamp = view.get("rowsUpdatedAt")
    return datetime.fromtimestamp(int(stamp), tz=UTC).replace(tzinfo=None) if stamp else None


def ensure_raw_table(
    connection: duckdb.DuckDBPyConnection, table: str, fields: Iterable[str]
) -> tuple[str, ...]:
    """Create the raw table, or add columns the source has grown; return the added ones.

    A layout change at the source becomes new raw columns rather than lost values.
    """
    schema, name = table.split(".")
    connection.execute(f"create schema if not exists {quote(schema)}")
    existing = {
        row[0]
        for row in connection.execute(
            "select column_name from information_schema.columns "
            "where table_schema = ? and table_name = ?",
            [schema, name],
        ).fetchall()
    }
    wanted = [field for field in fields if field not in SYSTEM_FIELDS]
    if not existing:
        columns = [f"{quote(field)} varchar" for field in wanted]
        columns += [f"{quote(column)} {kind}" for column, kind in LOAD_COLUMNS.items()]
        connection.execute(f"create table {table} ({', '.join(columns)})")
        return ()
    added = tuple(field for field in wanted if field not in existing)
    for field in added:
        connection.execute(f"alter table {table} add column {quote(field)} varchar")
    return added


def page_to_arrow(page: list[dict[str, Any]], fields: list[str]) -> pa.Table:
    """One page of SODA JSON rows as an all-string Arrow table (raw keeps text as sent)."""
    columns = {}
    for field in fields:
        values = [row.get(field) for row in page]
        columns[SYSTEM_FIELDS.get(field, field)] = pa.array(
            [None if value is None else str(value) for value in values], type=pa.string()
        )
    return pa.table(columns)


def load_raw_window(
    client: SocrataClient,
    connection: duckdb.DuckDBPyConnection,
    source: Source,
    window: DayWindow,
    *,
    dataset_id: str,
    run_id: str,
    page_size: int,
    progress: Callable[[int, int], None] = lambda done, expected: None,
) -> RawLoad:
    """Replace the window's raw rows of `source` with the internal portal's current rows."""
    started = time.monotonic()
    view = client.get_view(dataset_id)
    if view is None:
        raise SourceDatasetMissing(
            f"the internal portal {client.domain} has no dataset {dataset_id} ({source.title})"
        )
    where = window.soql_where(source.day_field)
    expected = client.count(dataset_id, where)
    fields = source_fields(view)
    updated_at = rows_updated_at(view)
    loaded_at = datetime.now(UTC).replace(tzinfo=None)

    connection.execute("begin transaction")
    try:
        added = ensure_raw_table(connection, source.raw_table, fields)
        replaced = connection.execute(
            f"delete from {source.raw_table} "
            "where _partition_date >= ? and _partition_date < ? returning 1",
            [window.start, window.end],
        ).fetchall()
        loaded = pages = 0
        pages_of_rows = client.iter_pages(
            dataset_id, where=where, select=":id, :updated_at, *", page_size=page_size
        )
        for page in pages_of_rows:
            page_fields = sorted({key for row in page for key in row if not key.startswith(":")})
            unknown = [f for f in page_fields if f not in fields]
            if unknown:
                added += ensure_raw_table(connection, source.raw_table, unknown)
                fields += unknown
            batch = page_to_arrow(page, [*fields, *SYSTEM_FIELDS])
            targets = ", ".join(quote(name) for name in batch.column_names)
            connection.register("raw_page", batch)
            connection.execute(
                f"insert into {source.raw_table} ({targets}, _partition_date, _load_run_id, "
                "_loaded_at, _source_dataset_id, _source_rows_updated_at) "
                f"select {targets}, "
                f"coalesce(try_cast(left({quote(source.day_field)}, 10) as date), ?::date), "
                "?, ?, ?, ? from raw_page",
                [window.start, run_id, loaded_at, dataset_id, updated_at],
            )
            connection.unregister("raw_page")
            loaded += len(page)
            pages += 1
            progress(loaded, expected)
        (newest,) = connection.execute(
            f"select max(_source_updated_at) from {source.raw_table} "
            "where _partition_date >= ? and _partition_date < ?",
            [window.start, window.end],
        ).fetchone()
        connection.execute("commit")
    except BaseException:
        connection.execute("rollback")
        raise
    return RawLoad(
        rows_loaded=loaded,
        rows_expected=expected,
        rows_replaced=len(replaced),
        pages=pages,
        seconds=round(time.monotonic() - started, 3),
        source_dataset_id=dataset_id,
        source_rows_updated_at=updated_at,
        new_columns=tuple(added),
        newest_row_updated_at=newest,
    )
