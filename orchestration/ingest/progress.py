"""How far an unfinished raw load got, so the next attempt does not read it again.

The loader commits page by page. Each commit records, per slice of the window, the slice's
fingerprint at the source (its days' row counts and newest `:updated_at`, and the dataset's
fields), the last `:id` it landed and whether the slice is complete. The next attempt at an
overlapping window keeps a slice's landed rows only when the source's fingerprint of that
slice is still the recorded one: a row added, changed or deleted on one of its days changes
a count or the newest `:updated_at`, and then the slice is read again from scratch. So
resuming never leaves a row the source no longer has, and a finished load still leaves
exactly the source's current rows of its window.

A finished load forgets the window's progress: a later run of the same window reads it all
again, as a run always did; only a run after a failure resumes.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date

import duckdb

from orchestration.partitions import DayWindow

PROGRESS_TABLE = "ops.raw_load_progress"


@dataclass(frozen=True)
class DayStats:
    """A local day's rows at the source: how many, and the newest `:updated_at` among them."""

    rows: int
    newest: str | None


@dataclass(frozen=True)
class SliceProgress:
    """What an earlier attempt landed of a slice."""

    fingerprint: str
    last_id: str | None
    complete: bool


def fingerprint(window: DayWindow, stats: dict[date, DayStats], fields: list[str]) -> str:
    """The source's state of a slice's days, as far as counts and `:updated_at` tell it."""
    days = [
        (day.isoformat(), stats[day].rows, stats[day].newest) for day in window.days if day in stats
    ]
    text = json.dumps({"fields": sorted(fields), "days": days})
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def ensure_progress_table(connection: duckdb.DuckDBPyConnection) -> None:
    connection.execute("create schema if not exists ops")
    connection.execute(
        f"""
        create table if not exists {PROGRESS_TABLE} (
            raw_table varchar not null,
            slice_start date not null,
            slice_end date not null,
            fingerprint varchar not null,
            last_id varchar,
            complete boolean not null,
            run_id varchar not null,
            recorded_at timestamp not null,
            primary key (raw_table, slice_start, slice_end)
        )
        """
    )


def read_progress(
    connection: duckdb.DuckDBPyConnection, raw_table: str, window: DayWindow
) -> dict[tuple[date, date], SliceProgress]:
    """Progress recorded for slices inside `window`, by (start, end)."""
    ensure_progress_table(connection)
    rows = connection.execute(
        f"select slice_start, slice_end, fingerprint, last_id, complete from {PROGRESS_TABLE} "
        "where raw_table = ? and slice_start >= ? and slice_end <= ?",
        [raw_table, window.start, window.end],
    ).fetchall()
    return {(start, end): SliceProgress(fp, last, done) for start, end, fp, last, done in rows}


def forget_overlapping(
    connection: duckdb.DuckDBPyConnection, raw_table: str, window: DayWindow
) -> None:
    """Drop progress of every slice that shares a day with `window` (its rows are redone)."""
    connection.execute(
        f"delete from {PROGRESS_TABLE} where raw_table = ? and slice_start < ? and slice_end > ?",
        [raw_table, window.end, window.start],
    )


def record_progress(
    connection: duckdb.DuckDBPyConnection,
    raw_table: str,
    window: DayWindow,
    progress: SliceProgress,
    run_id: str,
) -> None:
    """Record what has landed of a slice (call inside the transaction that landed it)."""
    connection.execute(
        f"insert or replace into {PROGRESS_TABLE} "
        "(raw_table, slice_start, slice_end, fingerprint, last_id, complete, run_id, recorded_at) "
        "values (?, ?, ?, ?, ?, ?, ?, now()::timestamp)",
        [
            raw_table,
            window.start,
            window.end,
            progress.fingerprint,
            progress.last_id,
            progress.complete,
            run_id,
        ],
    )
