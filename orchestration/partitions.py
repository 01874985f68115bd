"""Daily partitions in the city's local time, and the window a run covers.

A partition is a local day (America/Chicago, midnight to midnight) from 2011-01-01, the
first day of the city's open calls-for-service data. A run may cover one day or a range
(a backfill); everything downstream works on the same half-open window of local dates.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import dagster as dg

CITY_TIMEZONE = "America/Chicago"
FIRST_DAY = "2011-01-01"

daily_partitions = dg.DailyPartitionsDefinition(start_date=FIRST_DAY, timezone=CITY_TIMEZONE)


@dataclass(frozen=True)
class DayWindow:
    """Local dates [start, end): start inclusive, end exclusive."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if self.end <= self.start:
            raise ValueError(f"empty window {self.start}..{self.end}")

    @classmethod
    def for_day(cls, day: date) -> DayWindow:
        return cls(day, day + timedelta(days=1))

    @classmethod
    def from_time_window(cls, window: dg.TimeWindow) -> DayWindow:
        return cls(window.start.date(), window.end.date())

    @property
    def days(self) -> list[date]:
        return [self.start + timedelta(days=n) for n in range((self.end - self.start).days)]

    def soql_where(self, field: str) -> str:
        """Rows whose floating (local) timestamp falls in the window."""
        return (
            f"{field} >= '{self.start.isoformat()}T00:00:00' "
            f"and {field} < '{self.end.isoformat()}T00:00:00'"
        )


def window_of(context: dg.AssetExecutionContext) -> DayWindow:
    """The local-day window of the partition or partition range this run materializes."""
    return DayWindow.from_time_window(context.partition_time_window)
