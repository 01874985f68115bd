"""A day's review packet for one source: the warehouse's answers, as dataclasses.

Each section is read from what the daily run already built or computes: the audit row
fates (published, withheld by a privacy rule, quarantined with a reason), the new codes the
`no_new_codes` check names (orchestration/quality/new_codes.py), candidate misspellings of
the source's texts (misspellings.py), the suspected duplicate events of the calls' audit
model, the mart's volume against the same weekday's usual, and the publish plan the
`publish_plan` job shows (orchestration/publishing/plan.py). A section that does not apply
to a source is None, an empty one an empty list.

The packet holds source texts: it is for the stewards, inside the city, never published.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import date, timedelta

import duckdb

from orchestration.catalog import Source
from orchestration.corrections.table import IN_EFFECT_TABLE
from orchestration.partitions import DayWindow
from orchestration.publishing.plan import PLAN_TABLE, Hold, PublishPlan, stage_delta_plan
from orchestration.publishing.row_fates import fate_counts
from orchestration.quality.new_codes import CODED_FIELDS, NewCode, new_codes
from orchestration.review.fingerprint import plan_fingerprint
from orchestration.review.misspellings import Candidate, ReportedText, candidate_misspellings
from orchestration.warehouse.sql import quote_identifier, table_exists

# Audit models listing suspected duplicate events, per source (calls for service only).
DUPLICATE_EVENTS_TABLES = {
    "calls_for_service": "audit.audit_calls_for_service_suspected_duplicate_events",
}
# The canonical text column of each reference seed that has one.
CANONICAL_TEXT_COLUMNS = {"call_types_reviewed": "type_text", "dispositions": "disposition_text"}
USUAL_WEEKS = 4  # the usual volume: the median of this many previous same weekdays
SHOWN_ROW_IDS = 20  # row identifiers shown per kind of change


@dataclass(frozen=True)
class FateRow:
    fate: str  # published, excluded (withheld by a rule), merged_duplicate, quarantined
    reason: str | None  # the privacy rule or quarantine reason
    rows: int


@dataclass(frozen=True)
class DuplicateEvent:
    nopd_item: str
    suspected_duplicate_of: str
    type_code: str
    block_address: str
    seconds_apart: float


@dataclass(frozen=True)
class Volume:
    rows: int
    history: tuple[tuple[date, int], ...]  # previous same weekdays the mart covers

    @property
    def usual(self) -> float | None:
        return statistics.median(rows for _, rows in self.history) if self.history else None

    def describe(self) -> str:
        if self.usual is None:
            return f"{self.rows:,} rows; no history"
        ratio = f"{self.rows / self.usual:.2f}x" if self.usual else "n/a"
        return (
            f"{self.rows:,} rows; usual {self.usual:g} (median of {len(self.history)} "
            f"previous same weekdays), {ratio}"
        )


@dataclass(frozen=True)
class Changes:
    plan: PublishPlan
    row_ids: dict[str, tuple[str, ...]]  # action -> the first row identifiers it sends
    # The plan's fingerprint, what a steward's approval names (review/fingerprint.py).
    fingerprint: str = ""


@dataclass(frozen=True)
class ReviewPacket:
    dataset: str
    day: date
    fates: list[FateRow]
    new_codes: list[NewCode] | None
    misspellings: list[Candidate] | None
    duplicates: list[DuplicateEvent] | None
    volume: Volume
    changes: Changes


def fate_rows(connection: duckdb.DuckDBPyConnection, source: Source, day: date) -> list[FateRow]:
    """The day's raw rows by fate and reason (orchestration/publishing/row_fates.py)."""
    counts = fate_counts(connection, source, DayWindow.for_day(day))
    rows = [FateRow("published", None, counts.by_fate.get("published", 0))]
    for key, count in counts.by_reason.items():
        fate, _, reason = key.partition(": ")
        rows.append(FateRow(fate, reason or None, count))
    return rows


def reported_texts(
    connection: duckdb.DuckDBPyConnection, source: Source, day: date
) -> list[ReportedText]:
    """Every (code, text) the source sent on the day, with its count of row versions."""
    found: list[ReportedText] = []
    for coded in CODED_FIELDS.get(source.name, ()):
        if coded.text_column is None or coded.seed not in CANONICAL_TEXT_COLUMNS:
            continue
        code = quote_identifier(coded.code_column)
        text = quote_identifier(coded.text_column)
        rows = connection.execute(
            f"select cast({code} as varchar), {text}, count(*) from staging.stg_{source.name} "
            f"where partition_date = ? and {code} is not null and {text} is not null "
            "group by all order by all",
            [day],
        ).fetchall()
        found += [ReportedText(coded.field, c, t, n) for c, t, n in rows]
    return found


def canonical_texts(connection: duckdb.DuckDBPyConnection, seed: str) -> dict[str, str]:
    code_column = next(c.seed_column for f in CODED_FIELDS.values() for c in f if c.seed == seed)
    rows = connection.execute(
        f"select cast({quote_identifier(code_column)} as varchar), "
        f"{quote_identifier(CANONICAL_TEXT_COLUMNS[seed])} from rules.{seed}"
    ).fetchall()
    return {code: text for code, text in rows if code and text}


def misspellings(
    connection: duckdb.DuckDBPyConnection, source: Source, day: date
) -> list[Candidate] | None:
    fields = [
        coded
        for coded in CODED_FIELDS.get(source.name, ())
        if coded.text_column and coded.seed in CANONICAL_TEXT_COLUMNS
    ]
    if not fields:
        return None
    reported = reported_texts(connection, source, day)
    found: list[Candidate] = []
    for seed in sorted({coded.seed for coded in fields}):
        names = {coded.field for coded in fields if coded.seed == seed}
        found += candidate_misspellings(
            (r for r in reported if r.field in names), canonical_texts(connection, seed)
        )
    return found


def duplicate_events(
    connection: duckdb.DuckDBPyConnection, source: Source, day: date
) -> list[DuplicateEvent] | None:
    table = DUPLICATE_EVENTS_TABLES.get(source.name)
    if table is None:
        return None
    # A pair a steward already rejected is not asked about again (a confirmed one has left
    # the mart, which the audit model reads).
    rejected = (
        f"and not exists (select 1 from {IN_EFFECT_TABLE} as decided "
        "where decided.kind = 'duplicate_event' and decided.decision = 'rejected' "
        "and decided.dataset = ? and decided.row_id = events.nopd_item "
        "and decided.duplicate_of = events.suspected_duplicate_of)"
        if table_exists(connection, IN_EFFECT_TABLE)
        else ""
    )
    rows = connection.execute(
        "select nopd_item, suspected_duplicate_of, type_, block_address, seconds_apart "
        f"from {table} as events where call_date = ? {rejected} order by nopd_item",
        [day, source.name] if rejected else [day],
    ).fetchall()
    return [DuplicateEvent(*row) for row in rows]


def volume(connection: duckdb.DuckDBPyConnection, source: Source, day: date) -> Volume:
    """The mart's rows of the day, and of the previous same weekdays since its first day.

    Window-bound: one range of the day column (which DuckDB prunes by its zone maps, where
    a cast would read every row), and whether any row lies before it."""
    dataset = source.published
    column = quote_identifier(dataset.day_field)
    earlier = [day - timedelta(weeks=n) for n in range(1, USUAL_WEEKS + 1)]
    span_start = earlier[-1]
    counts = dict(
        connection.execute(
            f"select cast({column} as date), count(*) from {dataset.mart_table} "
            f"where {column} >= ? and {column} < ? group by all",
            [span_start, day + timedelta(days=1)],
        ).fetchall()
    )
    (older,) = connection.execute(
        f"select exists (select 1 from {dataset.mart_table} where {column} < ?)", [span_start]
    ).fetchone()
    first = span_start if older else min(counts, default=None)
    history = tuple((d, counts.get(d, 0)) for d in earlier if first is not None and d >= first)
    return Volume(rows=counts.get(day, 0), history=history)


def changes(
    connection: duckdb.DuckDBPyConnection,
    source: Source,
    day: date,
    dataset_id: str,
    hold: Hold | None = None,
) -> Changes:
    """What publishing the day would send now: the publish plan against the ledger, with
    the rows the release policy holds back (`hold`) counted apart, and its fingerprint."""
    plan = stage_delta_plan(connection, source.published, DayWindow.for_day(day), dataset_id, hold)
    fingerprint = plan_fingerprint(connection, dataset_id, day)
    rows = connection.execute(
        f"select _action, list(_row_id order by _seq)[1:{SHOWN_ROW_IDS}] "
        f"from {PLAN_TABLE} group by _action"
    ).fetchall()
    return Changes(
        plan=plan, row_ids={action: tuple(ids) for action, ids in rows}, fingerprint=fingerprint
    )


def build_packet(
    connection: duckdb.DuckDBPyConnection,
    source: Source,
    day: date,
    dataset_id: str,
    hold: Hold | None = None,
) -> ReviewPacket:
    """The review packet of `source` for the local day `day` (a read-write connection: the
    publish plan is staged in a temporary table, and the ledger made if it is missing);
    `hold` is the release policy's hold on rows still settling."""
    window = DayWindow.for_day(day)
    coded = bool(CODED_FIELDS.get(source.name))
    return ReviewPacket(
        dataset=source.name,
        day=day,
        fates=fate_rows(connection, source, day),
        new_codes=new_codes(connection, source, window) if coded else None,
        misspellings=misspellings(connection, source, day),
        duplicates=duplicate_events(connection, source, day),
        volume=volume(connection, source, day),
        changes=changes(connection, source, day, dataset_id, hold),
    )
