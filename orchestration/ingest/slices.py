"""Cutting a load's window into slices of at most a page of rows, from one grouped count.

A backfill's window holds years of rows. Asking for it as consecutive keyset pages makes
each request wait for the last row of the one before; asking for slices of whole days, each
sized from the portal's own per-day counts, makes every request independent, so the next
slice downloads while DuckDB reads the one before. One grouped query gives the counts, and
their sum is the number of rows the load expects.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from orchestration.ingest.progress import DayStats
from orchestration.partitions import DayWindow
from orchestration.socrata.client import MAX_PAGE_SIZE, SocrataClient


@dataclass(frozen=True)
class Slice:
    """Whole days of the window whose rows, counted before the load, fit in a page."""

    window: DayWindow
    expected_rows: int


def window_day_stats(
    client: SocrataClient, dataset_id: str, day_field: str, window: DayWindow
) -> dict[date, DayStats]:
    """Rows and newest `:updated_at` per local day of the window, in one grouped query.

    (A day a row, 50,000 at most.) The newest `:updated_at` lets a resumed load tell that
    nothing changed on a day since an earlier attempt read it.
    """
    rows = client.get(
        dataset_id,
        select=(
            f"date_trunc_ymd({day_field}) as day, count(*) as row_count, "
            "max(:updated_at) as newest_updated_at"
        ),
        where=window.soql_where(day_field),
        group="day",
        order="day",
        limit=MAX_PAGE_SIZE,
    )
    counts: dict[date, DayStats] = {}
    for row in rows:
        # An impossible date (2026-02-30) still falls inside the window's text range and is
        # read with it; it is counted with the window's first day, which only sizes a slice.
        day = _day_or(row.get("day"), window.start)
        before = counts.get(day)
        count = int(row["row_count"]) + (before.rows if before else 0)
        newest = max(
            filter(None, [row.get("newest_updated_at"), before and before.newest]), default=None
        )
        counts[day] = DayStats(count, newest)
    return counts


def _day_or(text: str | None, fallback: date) -> date:
    try:
        return date.fromisoformat(text[:10]) if text else fallback
    except ValueError:
        return fallback


def slice_window(counts: dict[date, int], window: DayWindow, page_rows: int) -> list[Slice]:
    """Consecutive slices covering the window, each of at most `page_rows` counted rows.

    A day with more rows than a page is a slice of its own (the loader pages inside it).
    Days without rows join their neighbours, so the slices cover the window without gaps:
    a row that arrives on an empty day between the count and the read is still read.
    """
    if page_rows <= 0:
        raise ValueError(f"page_rows must be positive, got {page_rows}")
    slices: list[Slice] = []
    start, rows = window.start, 0
    day = window.start
    while day < window.end:
        count = counts.get(day, 0)
        if rows and rows + count > page_rows:
            slices.append(Slice(DayWindow(start, day), rows))
            start, rows = day, 0
        rows += count
        day += timedelta(days=1)
    slices.append(Slice(DayWindow(start, window.end), rows))
    return slices
