"""The `settled` policy: a row leaves only once it has been closed for the policy's hours.

A row is settled when its `closed_field` (a floating city-time timestamp in the mart, read
in America/Chicago, across daylight-saving changes too) lies at least `settle_hours` before
now. A row without a close time is held (fail closed). A derived dataset holds a day's
figures while any row of that day is still settling in a mart it is derived from.

Held rows stay in the mart and out of the publish plan (`publishing.plan.Hold`); the publish
records per day how many it held and when the last of them settles (`held_days`), which is
what the settling sensor (orchestration/defs/release.py) re-publishes the day at.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import duckdb

from orchestration.catalog import PublishedDataset
from orchestration.partitions import CITY_TIMEZONE, DayWindow
from orchestration.publishing.plan import Hold
from orchestration.warehouse.sql import quote_identifier, quote_literal

# The publish's metadata entry: {day: {"rows": held rows, "settles_at": ISO instant}}.
HELD_DAYS = "held_days"


def _closed_at(column: str) -> str:
    """SQL: the floating city-time `column` as an instant."""
    return f"timezone({quote_literal(CITY_TIMEZONE)}, {column})"


def _upstreams(
    dataset: PublishedDataset, published: tuple[PublishedDataset, ...]
) -> list[PublishedDataset]:
    return [d for d in published if d.name in dataset.derived_from and d.release.closed_field]


def _cutoff(dataset: PublishedDataset, now: datetime) -> datetime:
    return now - timedelta(hours=dataset.release.settle_hours)


def settling_hold(
    dataset: PublishedDataset,
    published: tuple[PublishedDataset, ...],
    now: datetime,
    window: DayWindow | None = None,
) -> Hold | None:
    """The rows of `dataset` still settling at `now`, or None when its policy does not settle.

    A derived dataset's hold looks into the marts it is derived from; given the `window` the
    publish plans, it looks only at their rows of the window's days (the plan's rows are all
    in it), so a night's hold reads a few days of calls, not fifteen years of them. Without a
    window (a full refresh) it looks at every day."""
    policy = dataset.release
    if not policy.settles:
        return None
    cutoff = _cutoff(dataset, now)
    if policy.closed_field:
        closed = _closed_at(f"_mart.{quote_identifier(policy.closed_field)}")
        return Hold(f"({closed} is null or {closed} > ?::timestamptz)", (cutoff,))
    conditions: list[str] = []
    parameters: list[object] = []
    for upstream in _upstreams(dataset, published):
        closed = _closed_at(f"u.{quote_identifier(upstream.release.closed_field or '')}")
        day = f"u.{quote_identifier(upstream.day_field)}"
        # The bound is a plain range on the day column, so DuckDB prunes the scan with it.
        in_window = f"{day} >= ? and {day} < ? and " if window else ""
        conditions.append(
            f"exists (select 1 from {upstream.mart_table} u "
            f"where {in_window}cast({day} as date) = "
            f"cast(_mart.{quote_identifier(dataset.day_field)} as date) "
            f"and ({closed} is null or {closed} > ?::timestamptz))"
        )
        parameters.extend([*((window.start, window.end) if window else ()), cutoff])
    if not conditions:
        return None
    return Hold(" or ".join(conditions), tuple(parameters))


@dataclass(frozen=True)
class HeldDay:
    rows: int
    settles_at: datetime  # when the last row held on the day will have settled


def held_days(
    connection: duckdb.DuckDBPyConnection,
    dataset: PublishedDataset,
    published: tuple[PublishedDataset, ...],
    window: DayWindow,
    held_rows_by_day: dict[date, int],
) -> dict[date, HeldDay]:
    """When each day's held rows will all have settled: its latest close time plus the hours
    (for a derived dataset, the latest of the marts it is derived from)."""
    if not held_rows_by_day:
        return {}
    policy = dataset.release
    sources = [dataset] if policy.closed_field else _upstreams(dataset, published)
    latest: dict[date, datetime] = {}
    for mart in sources:
        closed = _closed_at(quote_identifier(mart.release.closed_field or ""))
        day = f"cast({quote_identifier(mart.day_field)} as date)"
        rows = connection.execute(
            f"select {day}, max({closed}) from {mart.mart_table} "
            f"where {day} >= ? and {day} < ? group by all",
            [window.start, window.end],
        ).fetchall()
        for day_value, closed_at in rows:
            if closed_at is not None:
                latest[day_value] = max(latest.get(day_value, closed_at), closed_at)
    hours = timedelta(hours=policy.settle_hours)
    return {
        day: HeldDay(rows, latest[day] + hours)
        for day, rows in sorted(held_rows_by_day.items())
        if day in latest
    }


def held_days_entry(held: dict[date, HeldDay]) -> dict[str, dict[str, object]]:
    """`held_days` as metadata: {day: {"rows": held rows, "settles_at": ISO instant}}."""
    return {
        day.isoformat(): {"rows": h.rows, "settles_at": h.settles_at.isoformat()}
        for day, h in held.items()
    }
