"""A partition span of about N raw rows: generated, served by a local portal, loaded to raw.

The span is built the way the pipeline builds a day: the generator writes the internal
exports of every catalog source, a local portal serves them on loopback, and the raw loader
reads the whole span's window from it into a fresh warehouse. So the rows the figures time
are the rows the pipeline would hold, defects and duplicates included.

Its size is counted in raw rows of all sources together (calls for service are ~85 % of
them). The generator works in whole days, so the span is as many days as pilot weeks say
make the requested rows; the rows actually loaded are reported, not the request.
"""

from __future__ import annotations

import math
import shutil
import tempfile
import time
import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import duckdb

from orchestration.catalog import SOURCES, Source
from orchestration.partitions import DayWindow
from tooling.generator.samples import write_samples

# A fixed first day keeps a seed's span the same run after run.
FIRST_DAY = date(2024, 1, 1)
PILOT_WEEKS = (0, 13, 26, 39)  # a week (each weekday once) at the start of each quarter
# dbt-duckdb names the dbt database after the file's stem; the project expects `warehouse`.
WAREHOUSE_FILE = "warehouse.duckdb"


@dataclass(frozen=True)
class Span:
    """A loaded span: its window, the warehouse holding its raw rows, rows per source."""

    window: DayWindow
    warehouse: Path
    rows_by_source: dict[str, int]
    build_seconds: float

    @property
    def rows(self) -> int:
        return sum(self.rows_by_source.values())

    @property
    def days(self) -> int:
        return (self.window.end - self.window.start).days


def rows_per_day(seed: int, sources: tuple[Source, ...] = SOURCES) -> float:
    """Raw rows a day of all sources together, from pilot weeks across a year (thrown away).

    Volume follows the week and the season (a winter day has ~10 % more calls than an
    autumn one), so the pilot takes one week in each quarter.
    """
    rows = days = 0
    with tempfile.TemporaryDirectory(prefix="bench-pilot-") as pilot:
        for week in PILOT_WEEKS:
            first = FIRST_DAY + timedelta(weeks=week)
            last = first + timedelta(days=6)
            summaries = write_samples(Path(pilot), first, last, seed=seed, sources=sources)
            rows += sum(summary.rows for summary in summaries.values())
            days += 7
    return rows / days


def days_for(rows: int, per_day: float) -> int:
    """Whole days whose rows come closest to `rows` (at least one)."""
    if rows <= 0:
        raise ValueError(f"a span needs a positive number of rows, got {rows}")
    return max(1, math.floor(rows / per_day + 0.5)) if per_day > 0 else 1


def build_span(work_dir: Path, rows: int, seed: int, sources: tuple[Source, ...] = SOURCES) -> Span:
    """Generate about `rows` internal rows from FIRST_DAY on and load them into raw.

    `work_dir` gets `portal/internal/` (the exports and the portal's store) and
    `warehouse.duckdb`; both are replaced if a previous run left them.
    """
    from orchestration.ingest.loader import load_raw_window
    from orchestration.socrata.client import CSV_PAGE_SIZE, SocrataClient
    from tooling.local_portal.server import serve_in_thread

    started = time.monotonic()
    days = days_for(rows, rows_per_day(seed, sources))
    window = DayWindow(FIRST_DAY, FIRST_DAY + timedelta(days=days))
    portal_dir = work_dir / "portal" / "internal"
    warehouse = work_dir / WAREHOUSE_FILE
    shutil.rmtree(portal_dir, ignore_errors=True)
    warehouse.unlink(missing_ok=True)
    # write_samples takes an inclusive last day; the window's end is exclusive.
    write_samples(
        portal_dir, window.start, window.end - timedelta(days=1), seed=seed, sources=sources
    )
    run_id = f"bench-{uuid.uuid4().hex[:12]}"
    loaded: dict[str, int] = {}
    with (
        serve_in_thread(portal_dir) as portal,
        SocrataClient(f"{portal.host}:{portal.port}") as client,
    ):
        connection = duckdb.connect(str(warehouse))
        try:
            for source in sources:
                load = load_raw_window(
                    client,
                    connection,
                    source,
                    window,
                    dataset_id=source.internal_dataset_id,
                    run_id=run_id,
                    page_size=CSV_PAGE_SIZE,
                )
                loaded[source.name] = load.rows_loaded
        finally:
            connection.close()
    return Span(window, warehouse, loaded, round(time.monotonic() - started, 1))


def count_raw_rows(warehouse: Path, sources: tuple[Source, ...] = SOURCES) -> dict[str, int]:
    """Rows per source in the warehouse's raw tables (what a span claims it loaded)."""
    connection = duckdb.connect(str(warehouse), read_only=True)
    try:
        return {
            source.name: connection.execute(f"select count(*) from {source.raw_table}").fetchone()[
                0
            ]
            for source in sources
        }
    finally:
        connection.close()
