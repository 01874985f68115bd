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
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
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
from orchestration.socrata.client import SocrataClient, page_cap
from orchestration.warehouse.sql import quote_identifier, quote_literal, transaction

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
    connection.execute(f"create schema if not exists {quote_identifier(schema)}")
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
        columns = [f"{quote_identifier(field)} varchar" for field in wanted]
        columns += [f"{quote_identifier(column)} {kind}" for column, kind in LOAD_COLUMNS.items()]
        connection.execute(f"create table {table} ({', '.join(columns)})")
        return ()
    added = tuple(field for field in wanted if field not in existing)
    for field in added:
        connection.execute(f"alter table {table} add column {quote_identifier(field)} varchar")
    return added


def csv_header(path: Path) -> list[str]:
    """The field names of a CSV page's header line."""
    with path.open(newline="", encoding="utf-8") as page:
        return next(csv.reader(page), [])


# A CSV page as the portal wrote it, every value as text, rows in the file's order: a quoted
# empty field stays an empty text and only an unquoted one is null.
_CSV_PAGE = (
    "read_csv({path}, header = true, all_varchar = true, allow_quoted_nulls = false, "
    "quote = '\"', escape = '\"', null_padding = false)"
)


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
    targets = ", ".join(quote_identifier(name) for name in fields)
    day = quote_identifier(source.day_field)
    (inserted,) = connection.execute(
        f"insert into {source.raw_table} ({targets}, _source_row_id, _source_updated_at, "
        "_partition_date, _load_run_id, _loaded_at, _source_dataset_id, _source_rows_updated_at) "
        f'select {targets}, ":id", ":updated_at", '
        f"coalesce(try_cast(left({day}, 10) as date), ?::date), ?, ?, ?, ? "
        f"from {_CSV_PAGE.format(path=quote_literal(path))}",
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


@dataclass(frozen=True)
class _Plan:
    """A load as decided before its first page: the slices to read, and how rows are stamped."""

    source: Source
    dataset_id: str
    domain: str
    run_id: str
    page_size: int
    fields: tuple[str, ...]  # the source's fields, as its view lists them
    rows_updated_at: datetime | None
    loaded_at: datetime
    expected: int
    work: list[_Work]
    resumed: int  # raw rows an unfinished earlier attempt landed that stay
    added: tuple[str, ...]  # columns the raw table gained for the source's fields
    last_good: str  # the last page an earlier attempt landed, for an error message


@dataclass
class _Landed:
    """What this load has landed so far."""

    fields: list[str]  # the fields the raw table holds; a page may bring new ones
    added: tuple[str, ...]
    last_good: str
    rows: int = 0
    pages: int = 0
    replaced: int = 0

    def count_page(self, item: _Work, rows: int, last_id: str | None, done: bool) -> None:
        self.rows += rows
        self.pages += 1
        self.last_good = (
            f"slice {item.window.start}..{item.window.end} up to :id {last_id}"
            f"{' (slice complete)' if done else ''}"
        )


@dataclass(frozen=True)
class _Page:
    """A page of a slice, downloading in the background: the slice's rows past `after_id`."""

    item: _Work
    after_id: str | None
    first: bool  # the first page this load reads of the slice
    path: Path
    download: Future[int]


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
    plan = _plan_load(client, connection, source, window, dataset_id, run_id, page_size)
    landed = _Landed(fields=list(plan.fields), added=plan.added, last_good=plan.last_good)
    with _downloads(client, plan) as downloads:
        for item in plan.work:
            _load_slice(connection, plan, downloads, item, landed, progress)
    newest, rows_in_window = _finish(connection, source.raw_table, window)
    return RawLoad(
        rows_loaded=rows_in_window,
        rows_expected=plan.expected,
        rows_replaced=landed.replaced,
        pages=landed.pages,
        seconds=round(time.monotonic() - started, 3),
        source_dataset_id=dataset_id,
        source_rows_updated_at=plan.rows_updated_at,
        new_columns=landed.added,
        newest_row_updated_at=newest,
        rows_resumed=plan.resumed,
    )


def _plan_load(
    client: SocrataClient,
    connection: duckdb.DuckDBPyConnection,
    source: Source,
    window: DayWindow,
    dataset_id: str,
    run_id: str,
    page_size: int,
) -> _Plan:
    """Read the source's fields and per-day counts, make the raw table hold those fields,
    and decide the slices to read: all but what an unfinished earlier attempt landed of days
    that have not changed since."""
    view = client.get_view(dataset_id)
    if view is None:
        raise SourceDatasetMissing(
            f"the internal portal {client.domain} has no dataset {dataset_id} ({source.title})"
        )
    cap = page_cap(view)
    if cap is not None and page_size > cap:
        log.info("%s is a SODA 2.0 dataset: pages of %s rows, not %s", dataset_id, cap, page_size)
        page_size = cap
    stats = window_day_stats(client, dataset_id, source.day_field, window)
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
    return _Plan(
        source=source,
        dataset_id=dataset_id,
        domain=client.domain,
        run_id=run_id,
        page_size=page_size,
        fields=tuple(fields),
        rows_updated_at=updated_at,
        loaded_at=loaded_at,
        expected=sum(day.rows for day in stats.values()),
        work=work,
        resumed=resumed,
        added=added,
        last_good=last_good,
    )


class _Downloads:
    """A load's pages, downloaded one at a time in the background into a scratch directory.

    Once a slice's first page is in, the next slice's first page is asked for, so it
    downloads while DuckDB reads this one; a slice's further pages are asked for one by one,
    each past the last `:id` that landed.
    """

    def __init__(
        self, client: SocrataClient, plan: _Plan, scratch: Path, pool: ThreadPoolExecutor
    ) -> None:
        self._client = client
        self._plan = plan
        self._scratch = scratch
        self._pool = pool
        self._names = itertools.count()
        self._not_asked = deque(plan.work)  # slices whose first page is not asked for yet
        self._ahead = self._ask_next_slice()

    def first_page(self, item: _Work) -> _Page:
        """`item`'s first page: slices are read in planned order, so the one asked for ahead."""
        assert self._ahead is not None and self._ahead.item is item
        return self._ahead

    def next_page(self, item: _Work, after_id: str | None) -> _Page:
        """Ask for `item`'s page of rows past `after_id`, the last `:id` that landed."""
        return self._ask(item, after_id, first=False)

    def wait_for(self, page: _Page, last_good: str) -> None:
        """Wait until `page` is downloaded; a failure names the dataset and the last good page."""
        try:
            page.download.result()
        except Exception as error:
            plan, item = self._plan, page.item
            raise RawLoadError(
                f"loading {plan.source.title} from dataset {plan.dataset_id} on "
                f"{plan.domain} failed at slice {item.window.start}.."
                f"{item.window.end} (rows past :id {page.after_id or '(start)'}); "
                f"last good page: {last_good}; the next run resumes after it. "
                f"Cause: {error}"
            ) from error
        if page.first:
            self._ahead = self._ask_next_slice()

    def _ask_next_slice(self) -> _Page | None:
        if not self._not_asked:
            return None
        item = self._not_asked.popleft()
        return self._ask(item, item.after_id, first=True)

    def _ask(self, item: _Work, after_id: str | None, *, first: bool) -> _Page:
        """Start downloading a page of `item` (rows past `after_id`) in the background."""
        path = self._scratch / f"page-{next(self._names)}.csv"
        clauses = [item.window.soql_where(self._plan.source.day_field)]
        if after_id is not None:
            clauses.append(f":id > {quote_literal(after_id)}")
        download = self._pool.submit(
            self._client.download_csv,
            self._plan.dataset_id,
            path,
            select=":id, :updated_at, *",
            where=" and ".join(clauses),
            order=":id",
            limit=self._plan.page_size,
        )
        return _Page(item, after_id, first, path, download)


@contextmanager
def _downloads(client: SocrataClient, plan: _Plan) -> Iterator[_Downloads]:
    """Downloads for the block; if it fails, those not started are cancelled."""
    with (
        tempfile.TemporaryDirectory(prefix="raw-pages-") as scratch,
        ThreadPoolExecutor(max_workers=1, thread_name_prefix="raw-prefetch") as pool,
    ):
        try:
            yield _Downloads(client, plan, Path(scratch), pool)
        except BaseException:
            pool.shutdown(wait=False, cancel_futures=True)
            raise


def _load_slice(
    connection: duckdb.DuckDBPyConnection,
    plan: _Plan,
    downloads: _Downloads,
    item: _Work,
    landed: _Landed,
    progress: Callable[[int, int], None],
) -> None:
    """Land a slice page by page, from where an earlier attempt stopped, to a short page."""
    page = downloads.first_page(item)
    while True:
        downloads.wait_for(page, landed.last_good)
        last_id, done = _land_page(connection, plan, page, landed)
        progress(plan.resumed + landed.rows, plan.expected)
        if done:
            return
        page = downloads.next_page(item, last_id)


def _land_page(
    connection: duckdb.DuckDBPyConnection, plan: _Plan, page: _Page, landed: _Landed
) -> tuple[str | None, bool]:
    """Insert a downloaded page and record how far its slice got, in one transaction.

    A fresh slice's first page deletes the slice's old raw rows first. Returns the slice's
    last landed `:id` and whether the slice is complete (the page was short).
    """
    item, raw_table = page.item, plan.source.raw_table
    with transaction(connection):
        if page.first and item.fresh:
            landed.replaced += _delete_slice(connection, raw_table, item.window)
        fields = _page_fields(connection, raw_table, page.path, landed)
        load_values = [
            item.window.start,
            plan.run_id,
            plan.loaded_at,
            plan.dataset_id,
            plan.rows_updated_at,
        ]
        rows = insert_csv_page(connection, plan.source, page.path, fields, load_values)
        last_id = _last_id_of_page(connection, page.path, rows) if rows else page.after_id
        done = rows < plan.page_size
        progress = SliceProgress(item.fingerprint, last_id, done)
        record_progress(connection, raw_table, item.window, progress, plan.run_id)
    page.path.unlink()
    landed.count_page(item, rows, last_id, done)
    return last_id, done


def _delete_slice(connection: duckdb.DuckDBPyConnection, raw_table: str, window: DayWindow) -> int:
    """Delete a slice's raw rows and its recorded progress; the number of rows deleted."""
    (gone,) = connection.execute(
        f"delete from {raw_table} where _partition_date >= ? and _partition_date < ?",
        [window.start, window.end],
    ).fetchone()
    forget_overlapping(connection, raw_table, window)
    return int(gone)


def _page_fields(
    connection: duckdb.DuckDBPyConnection, raw_table: str, path: Path, landed: _Landed
) -> list[str]:
    """A CSV page's data fields; the raw table gains those the source did not list."""
    page_fields = [f for f in csv_header(path) if f not in SYSTEM_FIELDS]
    unknown = [f for f in page_fields if f not in landed.fields]
    if unknown:
        landed.added += ensure_raw_table(connection, raw_table, unknown)
        landed.fields += unknown
    return page_fields


def _last_id_of_page(connection: duckdb.DuckDBPyConnection, path: Path, rows: int) -> str:
    """The `:id` of a page's last row: the page came in `:id` order, so the next page starts
    after it. Never the largest `:id` text landed: Socrata's `:id`s are opaque, and their
    text order is not the order the portal pages them in (../shared/socrata/README.md)."""
    (last_id,) = connection.execute(
        f'select ":id" from {_CSV_PAGE.format(path=quote_literal(path))} '
        f"limit 1 offset {int(rows) - 1}"
    ).fetchone()
    return str(last_id)


def _finish(
    connection: duckdb.DuckDBPyConnection, raw_table: str, window: DayWindow
) -> tuple[str | None, int]:
    """The window's newest `:updated_at` and its raw rows, now complete; its progress goes."""
    with transaction(connection):
        (newest, rows) = connection.execute(
            f"select max(_source_updated_at), count(*) from {raw_table} "
            "where _partition_date >= ? and _partition_date < ?",
            [window.start, window.end],
        ).fetchone()
        forget_overlapping(connection, raw_table, window)
    return newest, int(rows)
