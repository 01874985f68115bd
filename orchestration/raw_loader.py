"""Loading a window of a source's internal rows into the raw schema, as they are.

Pages come from the portal as CSV (SODA 2.1 serves large pages), streamed to a temporary
file and read by DuckDB's own CSV reader, every value as text: no Python object per row or
value, and memory holds a parse buffer, never a page. A window is read in few requests
(a million rows each by default), paged by `:id`. The window's old raw rows are replaced in
the same transaction, so a rerun of a day leaves exactly the source's current rows for it.
"""

from __future__ import annotations

import csv
import itertools
import tempfile
import time
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from orchestration.catalog import Source
from orchestration.partitions import DayWindow
from orchestration.raw_slices import slice_window, window_day_counts
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


def csv_header(path: Path) -> list[str]:
    """The field names of a CSV page's header line."""
    with path.open(newline="", encoding="utf-8") as page:
        return next(csv.reader(page), [])


def insert_csv_page(
    connection: duckdb.DuckDBPyConnection,
    source: Source,
    path: Path,
    fields: list[str],
    load_values: list[Any],
) -> int:
    """Insert a CSV page's rows into the raw table, read by DuckDB, every value as text.

    A quoted empty field stays an empty text and only an unquoted one is null, as the
    portal writes them. `fields` are the page's data fields (the raw table has them all).
    """
    literal = "'" + str(path).replace("'", "''") + "'"
    targets = ", ".join(quote(name) for name in fields)
    (inserted,) = connection.execute(
        f"insert into {source.raw_table} ({targets}, _source_row_id, _source_updated_at, "
        "_partition_date, _load_run_id, _loaded_at, _source_dataset_id, _source_rows_updated_at) "
        f'select {targets}, ":id", ":updated_at", '
        f"coalesce(try_cast(left({quote(source.day_field)}, 10) as date), ?::date), ?, ?, ?, ? "
        f"from read_csv({literal}, header = true, all_varchar = true, "
        "allow_quoted_nulls = false, quote = '\"', escape = '\"', null_padding = false)",
        load_values,
    ).fetchone()
    return int(inserted)


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
    counts = window_day_counts(client, dataset_id, source.day_field, window)
    expected = sum(counts.values())
    slices = slice_window(counts, window, page_size)
    fields = source_fields(view)
    updated_at = rows_updated_at(view)
    loaded_at = datetime.now(UTC).replace(tzinfo=None)

    connection.execute("begin transaction")
    try:
        added = ensure_raw_table(connection, source.raw_table, fields)
        (replaced,) = connection.execute(
            f"delete from {source.raw_table} where _partition_date >= ? and _partition_date < ?",
            [window.start, window.end],
        ).fetchone()
        loaded = pages = 0
        load_values = [window.start, run_id, loaded_at, dataset_id, updated_at]
        with (
            tempfile.TemporaryDirectory(prefix="raw-pages-") as scratch,
            ThreadPoolExecutor(max_workers=1, thread_name_prefix="raw-prefetch") as downloads,
        ):
            names = itertools.count()

            def fetch(piece: DayWindow, after_id: str | None) -> tuple[Future[int], Path]:
                """Start downloading a page of `piece` (rows past `after_id`) in the background."""
                path = Path(scratch) / f"page-{next(names)}.csv"
                clauses = [piece.soql_where(source.day_field)]
                if after_id is not None:
                    clauses.append(f":id > '{after_id.replace(chr(39), chr(39) * 2)}'")
                return downloads.submit(
                    client.download_csv,
                    dataset_id,
                    path,
                    select=":id, :updated_at, *",
                    where=" and ".join(clauses),
                    order=":id",
                    limit=page_size,
                ), path

            try:
                upcoming = fetch(slices[0].window, None)
                for index, piece in enumerate(slices):
                    download, path = upcoming
                    while True:
                        download.result()
                        # The next slice downloads while DuckDB reads this page.
                        if index + 1 < len(slices) and upcoming[1] == path:
                            upcoming = fetch(slices[index + 1].window, None)
                        page_fields = [f for f in csv_header(path) if f not in SYSTEM_FIELDS]
                        unknown = [f for f in page_fields if f not in fields]
                        if unknown:
                            added += ensure_raw_table(connection, source.raw_table, unknown)
                            fields += unknown
                        rows = insert_csv_page(connection, source, path, page_fields, load_values)
                        path.unlink()
                        loaded += rows
                        pages += 1
                        progress(loaded, expected)
                        if rows < page_size:
                            break
                        (last_id,) = connection.execute(
                            f"select max(_source_row_id) from {source.raw_table} where "
                            "_load_run_id = ? and _partition_date >= ? and _partition_date < ?",
                            [run_id, piece.window.start, piece.window.end],
                        ).fetchone()
                        download, path = fetch(piece.window, last_id)
            except BaseException:
                downloads.shutdown(wait=False, cancel_futures=True)
                raise
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
        rows_replaced=int(replaced),
        pages=pages,
        seconds=round(time.monotonic() - started, 3),
        source_dataset_id=dataset_id,
        source_rows_updated_at=updated_at,
        new_columns=tuple(added),
        newest_row_updated_at=newest,
    )
