"""How much of each day a quarantine reason takes out, judged against two thresholds.

A quarantined row is accounted for (the audit row fates hold it), but nobody looks at the
audit every morning: a new disposition code quarantines every call that carries it and the
day publishes the rest as if nothing happened. So each source's day is measured per reason,
in the audit model's reasons (a row with several carries each), and a reason that takes out
more than a few records of a day warns; one that takes out a real share of it blocks the
source's publish.

Counted in records, the published dataset's unit (its row identifier), not in row versions:
one use-of-force incident is a row per officer, force and subject, and one broken incident
must weigh what one broken call weighs. A row without an identifier counts alone. Each
threshold is a floor of records *and* a share of the day's records, crossed together, as the
timestamp-order contract check does: a floor alone would block a large day for a handful of
rows, a share alone would block a 20-row day for one (README: "Thresholds, and why").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import duckdb

from orchestration.catalog import Source
from orchestration.partitions import DayWindow
from orchestration.warehouse.sql import quote_identifier

REASON_SEPARATOR = "; "  # how the *_validated models join a row's reasons


@dataclass(frozen=True)
class Threshold:
    """Crossed when a reason takes out more than `records` records *and* more than `share`
    of the day's records."""

    records: int
    share: float

    def crossed(self, records: int, day_records: int) -> bool:
        return records > self.records and records > self.share * day_records

    def describe(self) -> str:
        return f"more than {self.records} records and {self.share:.0%} of the day's"


# Past these a reason warns / blocks. Why these values: README, "Thresholds, and why".
WARN = Threshold(records=2, share=0.01)
BLOCK = Threshold(records=10, share=0.05)

OK, WARNS, BLOCKS = "ok", "warns", "blocks"


@dataclass(frozen=True)
class ReasonDay:
    """The records of one day a quarantine reason took out, against the day's records."""

    day: date
    reason: str
    records: int
    day_records: int

    @property
    def share(self) -> float:
        return self.records / self.day_records if self.day_records else 0.0

    def verdict(self, warn: Threshold = WARN, block: Threshold = BLOCK) -> str:
        if block.crossed(self.records, self.day_records):
            return BLOCKS
        return WARNS if warn.crossed(self.records, self.day_records) else OK

    def describe(self) -> str:
        return (
            f"{self.reason}: {self.records:,} of {self.day_records:,} records "
            f"({self.share:.1%}) on {self.day.isoformat()}"
        )


def record_key(connection: duckdb.DuckDBPyConnection, source: Source) -> str:
    """SQL naming a row's record: its row identifier or, without one, the row itself.

    An audit model that does not carry the identifier (a new source's first draft) is
    counted in rows rather than refused.
    """
    schema, table = source.row_fates_table.split(".")
    columns = {
        name
        for (name,) in connection.execute(
            "select column_name from information_schema.columns "
            "where table_schema = ? and table_name = ?",
            [schema, table],
        ).fetchall()
    }
    row_id = source.published.row_identifier
    if row_id not in columns:
        return "source_row_id"
    return f"coalesce(cast({quote_identifier(row_id)} as varchar), source_row_id)"


def quarantine_by_day(
    connection: duckdb.DuckDBPyConnection, source: Source, window: DayWindow
) -> tuple[dict[date, int], list[ReasonDay]]:
    """Records per day of the window, and per (day, reason) the records quarantined for it.

    Read from the source's audit row fates: every raw row of the window is there once, with
    its fate and, when quarantined, its reasons.
    """
    record = record_key(connection, source)
    fates = source.row_fates_table
    day_records = dict(
        connection.execute(
            f"select partition_date, count(distinct {record}) from {fates} "
            "where partition_date >= ? and partition_date < ? group by all",
            [window.start, window.end],
        ).fetchall()
    )
    rows = connection.execute(
        f"""
        with quarantined as (
            select partition_date, {record} as record,
                unnest(string_split(fate_reason, ?)) as reason
            from {fates}
            where partition_date >= ? and partition_date < ? and fate = 'quarantined'
        )
        select partition_date, reason, count(distinct record)
        from quarantined group by all order by all
        """,
        [REASON_SEPARATOR, window.start, window.end],
    ).fetchall()
    return day_records, [
        ReasonDay(day, reason, records, day_records[day]) for day, reason, records in rows
    ]
