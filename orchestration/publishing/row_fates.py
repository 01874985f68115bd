"""Counts of what became of a window's raw rows, read from the audit model."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from orchestration.catalog import Source
from orchestration.partitions import DayWindow


@dataclass(frozen=True)
class FateCounts:
    by_fate: dict[str, int]
    by_reason: dict[str, int]

    def summary(self) -> str:
        parts = [f"{count:,} {fate}" for fate, count in sorted(self.by_fate.items())]
        return ", ".join(parts) if parts else "no rows"


def fate_counts(
    connection: duckdb.DuckDBPyConnection, source: Source, window: DayWindow
) -> FateCounts:
    rows = connection.execute(
        f"select fate, fate_reason, count(*) from {source.row_fates_table} "
        "where partition_date >= ? and partition_date < ? group by all order by all",
        [window.start, window.end],
    ).fetchall()
    by_fate: dict[str, int] = {}
    by_reason: dict[str, int] = {}
    for fate, reason, count in rows:
        by_fate[fate] = by_fate.get(fate, 0) + count
        if fate != "published":
            by_reason[f"{fate}: {reason}"] = count
    return FateCounts(by_fate=by_fate, by_reason=by_reason)
