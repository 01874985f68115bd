"""Loading a window of a source's internal rows into the raw schema, as they are.

Pages come from the portal as CSV (SODA 2.1 serves large pages), streamed to a temporary
file and read by DuckDB's own CSV reader, every value as text: no Python object per row or
value, and memory holds a parse buffer, never a page. A window is read in few requests
(a million rows each by default), paged by `:id`.

Each page lands in its own transaction, with a record of how far its slice got
(orchestration/ingest/progress.py), so a load that fails past the client's retry budget, or is
killed, keeps what landed and the next attempt reads only the rest. A slice's old raw rows
are deleted in the transaction of its first page, so once the load finishes the window holds
exactly the source's current rows, as when the whole window was one transaction; what an
earlier attempt landed is kept only while the source's counts and `:updated_at` of its days
say nothing changed. A failure names the dataset, the page that failed and the last page that
landed.
"""

from __future__ import annotations

import csv
import itertools
import logging
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
from orchestration.ingest.progress import (
    SliceProgress,
    ensure_progress_table,
    fingerprint,
    forget_overlapping,
    read_progress,
    record_progress,
)
from orchestration.ingest.slices import slice_window, window_day_stats
from orchestration.partitions import DayWindow
from orchestration.socrata.client import SocrataClient

log = logging.getLogger(__name__)

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
# The loader streams: DuckDB needs a parse buffer and the row groups it is writing, and
# caching blocks it already wrote would only make its memory grow with the history.
LOADER_MEMORY_LIMIT = "512MB"
# Metadata key of a raw materialization: the newest source `:updated_at` it loaded.
NEWEST_ROW_UPDATED_AT = "newest_row_updated_at"


class SourceDatasetMissing(RuntimeError):
    """The internal portal has no dataset with the configured id."""


class RawLoadError(RuntimeError):
    """A page could not be read within the client's retry budget; what landed stays."""


@dataclass(frozen=True)
class RawLoad:
    """What one load did, for the materialization's metadata."""

    rows_loaded: int  # the window's raw rows after the load, resumed ones included
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
    # Rows an earlier, unfinished attempt had landed and this one kept (see raw_progress).
    rows_resumed: int = 0


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


@dataclass
class _Work:
    """A slice to read: from its start, or past the last `:id` an earlier attempt landed."""

    window: DayWindow
    fingerprint: str
    after_id: str | None
    fresh: bool


def _plan_work(
    connection: duckdb.DuckDBPyConnection,
    source: Source,
    window: DayWindow,
    slices: list,
    stats: dict,
    fields: list[str],
) -> tuple[list[_Work], int, str]:
    """The slices still to read, how many raw rows earlier attempts landed and stay, and
    the last page they landed (for an error message)."""
    progress = read_progress(connection, source.raw_table, window)
    work: list[_Work] = []
    kept_windows: list[DayWindow] = []
    for piece in slices:
        now = fingerprint(piece.window, stats, fields)
        earlier = progress.get((piece.window.start, piece.window.end))
        if earlier is not None and earlier.fingerprint == now:
            kept_windows.append(piece.window)
            if not earlier.complete:
                work.append(_Work(piece.window, now, earlier.last_id, fresh=False))
        else:
            work.append(_Work(piece.window, now, None, fresh=True))
    kept = 0
    earlier_pages = [
        (w, progress[(w.start, w.end)]) for w in kept_windows if progress[(w.start, w.end)].last_id
    ]
    if earlier_pages:
        w, last = earlier_pages[-1]
        landed = f"slice {w.start}..{w.end} up to :id {last.last_id} (landed by an earlier attempt)"
    else:
        landed = "none"
    for kept_window in kept_windows:
        (rows,) = connection.execute(
            f"select count(*) from {source.raw_table} "
            "where _partition_date >= ? and _partition_date < ?",
            [kept_window.start, kept_window.end],
        ).fetchone()
        kept += int(rows)
    return work, kept, landed


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
    """Make the window's raw rows of `source` the internal portal's current rows."""
    started = time.monotonic()
    view = client.get_view(dataset_id)
    if view is None:
        raise SourceDatasetMissing(
            f"the internal portal {client.domain} has no dataset {dataset_id} ({source.title})"
        )
    stats = window_day_stats(client, dataset_id, source.day_field, window)
    expected = sum(day.rows for day in stats.values())
    slices = slice_window({day: s.rows for day, s in stats.items()}, window, page_size)
    fields = source_fields(view)
    updated_at = rows_updated_at(view)
    loaded_at = datetime.now(UTC).replace(tzinfo=None)

    added = ensure_raw_table(connection, source.raw_table, fields)
    ensure_progress_table(connection)
    work, resumed, last_good = _plan_work(connection, source, window, slices, stats, fields)
    if resumed:
        log.info(
            "%s: keeping %s rows an unfinished earlier load of %s landed",
            dataset_id,
            resumed,
            window,
        )
    loaded = pages = replaced = 0
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
            upcoming = fetch(work[0].window, work[0].after_id) if work else None
            for index, item in enumerate(work):
                download, path = upcoming
                after_id, first_page = item.after_id, item.fresh
                while True:
                    try:
                        download.result()
                    except Exception as error:
                        raise RawLoadError(
                            f"loading {source.title} from dataset {dataset_id} on "
                            f"{client.domain} failed at slice {item.window.start}.."
                            f"{item.window.end} (rows past :id {after_id or '(start)'}); "
                            f"last good page: {last_good}; the next run resumes after it. "
                            f"Cause: {error}"
                        ) from error
                    # The next slice downloads while DuckDB reads this page.
                    if index + 1 < len(work) and upcoming[1] == path:
                        following = work[index + 1]
                        upcoming = fetch(following.window, following.after_id)
                    connection.execute("begin transaction")
                    try:
                        if first_page:
                            (gone,) = connection.execute(
                                f"delete from {source.raw_table} "
                                "where _partition_date >= ? and _partition_date < ?",
                                [item.window.start, item.window.end],
                            ).fetchone()
                            replaced += int(gone)
                            forget_overlapping(connection, source.raw_table, item.window)
                        page_fields = [f for f in csv_header(path) if f not in SYSTEM_FIELDS]
                        unknown = [f for f in page_fields if f not in fields]
                        if unknown:
                            added += ensure_raw_table(connection, source.raw_table, unknown)
                            fields += unknown
                        load_values = [item.window.start, run_id, loaded_at, dataset_id, updated_at]
                        rows = insert_csv_page(connection, source, path, page_fields, load_values)
                        (last_id,) = connection.execute(
                            f"select max(_source_row_id) from {source.raw_table} "
                            "where _partition_date >= ? and _partition_date < ?",
                            [item.window.start, item.window.end],
                        ).fetchone()
                        done = rows < page_size
                        record_progress(
                            connection,
                            source.raw_table,
                            item.window,
                            SliceProgress(item.fingerprint, last_id, done),
                            run_id,
                        )
                        connection.execute("commit")
                    except BaseException:
                        connection.execute("rollback")
                        raise
                    path.unlink()
                    first_page = False
                    loaded += rows
                    pages += 1
                    last_good = (
                        f"slice {item.window.start}..{item.window.end} up to :id {last_id}"
                        f"{' (slice complete)' if done else ''}"
                    )
                    progress(resumed + loaded, expected)
                    if done:
                        break
                    after_id = last_id
                    download, path = fetch(item.window, after_id)
        except BaseException:
            downloads.shutdown(wait=False, cancel_futures=True)
            raise
    connection.execute("begin transaction")
    try:
        (newest, in_window) = connection.execute(
            f"select max(_source_updated_at), count(*) from {source.raw_table} "
            "where _partition_date >= ? and _partition_date < ?",
            [window.start, window.end],
        ).fetchone()
        forget_overlapping(connection, source.raw_table, window)
        connection.execute("commit")
    except BaseException:
        connection.execute("rollback")
        raise
    return RawLoad(
        rows_loaded=int(in_window),
        rows_expected=expected,
        rows_replaced=replaced,
        pages=pages,
        seconds=round(time.monotonic() - started, 3),
        source_dataset_id=dataset_id,
        source_rows_updated_at=updated_at,
        new_columns=tuple(added),
        newest_row_updated_at=newest,
        rows_resumed=resumed,
    )
