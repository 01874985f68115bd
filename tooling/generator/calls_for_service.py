"""A deterministic stand-in for the OPCD CAD export of calls for service (the private input).

Why: the platform publishes NOPD calls for service only after stripping private data, so it
needs an input that behaves like the internal CAD export (volumes, signal codes of both CAD
eras, reclassifications, timings, addresses) and that carries everything the pipeline must
remove or repair. Real rows cannot be used; calls are invented from the derived reference
tables instead and written where the local Socrata-compatible portal loads its datasets.

Speed: a bench span is 15 years (about 7 million calls), so nothing here works a row at a
time. A day's calls are drawn as numpy arrays (``call_draws``, ``call_versions``), a month of
days is turned into Arrow text columns at once (``call_text``) and written by Arrow's CSV
writer, which quotes every text value.

Determinism: a day's rows depend only on (seed, day, scale). Each day draws from its own numpy
generator seeded with a SHA-256 of a text naming them (``hash()`` would be salted per process).
Item numbers restart every month, as the real ones do; a day's first number is one past the
calls of the earlier days of its month, and those counts come from per-day seeds too. So two
spans that overlap produce identical rows for the shared days.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, fields
from datetime import date, timedelta
from functools import lru_cache
from itertools import groupby
from pathlib import Path
from random import Random

import numpy as np
import pyarrow as pa
import pyarrow.csv as pa_csv

from tooling.generator import defects
from tooling.generator.call_draws import DayPlan, draw_calls
from tooling.generator.call_tables import load_call_tables
from tooling.generator.call_text import render
from tooling.generator.call_versions import expand_versions
from tooling.generator.reference import load_reference
from tooling.generator.sampling import normal

INTERNAL_CFS_DATASET_ID = "opcd-cfs1"
DEFAULT_SEED = 20110101

# (field, display name, Socrata type), in export order.
COLUMN_META = (
    ("nopd_item", "NOPD_Item", "text"),
    ("type", "Type", "text"),
    ("typetext", "TypeText", "text"),
    ("priority", "Priority", "text"),
    ("initialtype", "InitialType", "text"),
    ("initialtypetext", "InitialTypeText", "text"),
    ("initialpriority", "InitialPriority", "text"),
    ("timecreate", "TimeCreate", "calendar_date"),
    ("timedispatch", "TimeDispatch", "calendar_date"),
    ("timearrive", "TimeArrive", "calendar_date"),
    ("timeclosed", "TimeClosed", "calendar_date"),
    ("disposition", "Disposition", "text"),
    ("dispositiontext", "DispositionText", "text"),
    ("selfinitiated", "SelfInitiated", "text"),
    ("beat", "Beat", "text"),
    ("address", "Address", "text"),
    ("zip", "Zip", "text"),
    ("policedistrict", "PoliceDistrict", "text"),
    ("latitude", "Latitude", "number"),
    ("longitude", "Longitude", "number"),
    ("caller_name", "CallerName", "text"),
    ("caller_phone", "CallerPhone", "text"),
    ("narrative", "Narrative", "text"),
)
FIELDS = tuple(field for field, _, _ in COLUMN_META)
UPDATED_AT = ":updated_at"  # Socrata system column: when this row version was written
COLUMNS = (*FIELDS, UPDATED_AT)

MAX_SEQUENCE = 99_999  # five digits in NOPD_Item
VOLUME_SPREAD = 1.5  # day-to-day noise, in multiples of a Poisson spread

Row = defects.Row


@dataclass(frozen=True)
class ExportSummary:
    """What was written, with a count per injected fault so tests can reconcile.

    ``rows = calls + exact_duplicates + resent``. ``open_calls`` counts calls whose latest
    version is open; ``juvenile`` counts calls with a juvenile final or initial type, of which
    ``juvenile_initial_only`` were reclassified to a non-juvenile type.
    """

    path: Path
    meta_path: Path
    days: int
    rows: int
    calls: int
    exact_duplicates: int
    resent: int
    open_calls: int
    juvenile: int
    juvenile_initial_only: int
    missing_id: int
    bad_timestamp: int
    misspelled: int
    test_calls: int


COUNTS = tuple(f.name for f in fields(ExportSummary) if f.name not in {"path", "meta_path", "days"})


def generate_calls(
    start: date, end: date, *, seed: int = DEFAULT_SEED, scale: float = 1.0
) -> Iterator[Row]:
    """Yield internal-export rows for the local days ``start``..``end`` inclusive, in order."""
    for table, _ in _batches(_days(start, end, scale), seed, float(scale)):
        yield from table.to_pylist()


def write_internal_export(
    data_dir: Path,
    start: date,
    end: date,
    *,
    seed: int = DEFAULT_SEED,
    scale: float = 1.0,
    dataset_id: str = INTERNAL_CFS_DATASET_ID,
) -> ExportSummary:
    """Write ``DIR/<dataset_id>.csv`` and its ``.meta.json`` sidecar, a month at a time.

    Memory stays bounded by a month whatever the span; the CSV is written under a temporary
    name and renamed at the end so a portal never loads half a file.
    """
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / f"{dataset_id}.csv"
    meta_path = data_dir / f"{dataset_id}.meta.json"
    partial_path = path.with_name(path.name + ".partial")
    totals: Counter[str] = Counter()
    days = _days(start, end, scale)
    options = pa_csv.WriteOptions(include_header=False)
    with pa.OSFile(str(partial_path), "wb") as sink:
        sink.write((",".join(COLUMNS) + "\n").encode())
        for table, counts in _batches(days, seed, float(scale)):
            pa_csv.write_csv(table, sink, options)
            totals.update(counts)
    partial_path.replace(path)
    meta_path.write_text(json.dumps(_metadata(), indent=2) + "\n", encoding="utf-8")
    return ExportSummary(
        path=path, meta_path=meta_path, days=len(days), **{name: totals[name] for name in COUNTS}
    )


def _days(start: date, end: date, scale: float) -> list[date]:
    if end < start:
        raise ValueError(f"end {end} is before start {start}")
    if scale <= 0:
        raise ValueError(f"scale must be positive, got {scale}")
    return [start + timedelta(days=offset) for offset in range((end - start).days + 1)]


def _metadata() -> dict[str, object]:
    return {
        "name": "OPCD CAD Calls for Service (internal export)",
        "description": (
            "Internal export of the Orleans Parish Communication District CAD: one row per "
            "version of a call for service. Not for publication: it holds caller names and "
            "phone numbers, narratives, full addresses and exact coordinates, juvenile call "
            "types and open calls, and it repeats calls (exact duplicates and re-sent versions "
            "with a later :updated_at). Times are New Orleans local time. Generated data."
        ),
        "columns": [
            {"fieldName": field, "name": name, "dataTypeName": kind}
            for field, name, kind in COLUMN_META
        ],
        "rowIdentifier": None,
    }


@lru_cache(maxsize=4096)
def _calls_on(day: date, seed: int, scale: float) -> int:
    """The day's call count: the month's rate times the weekday's factor, with noise."""
    ref = load_reference()
    expected = ref.calls_per_day[day.month] * ref.weekday_factors[day.weekday()] * scale
    rng = Random(f"{seed}|{day.isoformat()}|{scale!r}|volume")
    return max(0, round(expected + VOLUME_SPREAD * math.sqrt(expected) * normal(rng)))


def _first_sequence(day: date, seed: int, scale: float) -> int:
    earlier = sum(_calls_on(day.replace(day=d), seed, scale) for d in range(1, day.day))
    return earlier + 1


def _batches(days: list[date], seed: int, scale: float) -> Iterator[tuple[pa.Table, Counter[str]]]:
    """Each month of ``days`` as one table of export rows, with its summary counts.

    Every call's draws come from its own day's seed; the arithmetic and the text are done for
    the month at once, element by element, so the batch cannot change a byte.
    """
    tables = load_call_tables()
    for (year, month), in_month in groupby(days, key=lambda day: (day.year, day.month)):
        plans = [_plan(day, seed, scale) for day in in_month]
        calls, uniforms = draw_calls(tables, plans)
        rows = expand_versions(tables.types, uniforms, calls, year)
        columns = render(tables, rows, year, month)
        table = pa.table([columns[name] for name in COLUMNS], names=list(COLUMNS))
        yield table, _counts(calls, rows)


def _plan(day: date, seed: int, scale: float) -> DayPlan:
    calls = _calls_on(day, seed, scale)
    first = _first_sequence(day, seed, scale)
    if first + calls - 1 > MAX_SEQUENCE:
        raise ValueError(
            f"{day:%B %Y} needs item numbers past {MAX_SEQUENCE}: scale {scale} is too large "
            "for the 5-digit monthly sequence"
        )
    return DayPlan(day, first, calls, f"{seed}|{day.isoformat()}|{scale!r}")


def _counts(calls: dict[str, np.ndarray], rows: dict[str, np.ndarray]) -> Counter[str]:
    """What a batch holds (see ``ExportSummary``)."""
    return Counter(
        rows=len(rows["item"]),
        calls=len(calls["item"]),
        exact_duplicates=int(rows["exact_duplicate"].sum()),
        resent=int(rows["earlier"].sum()),
        open_calls=int((~calls["has_closed"]).sum()),
        juvenile=int(calls["juvenile"].sum()),
        juvenile_initial_only=int(calls["juvenile_initial_only"].sum()),
        missing_id=int((calls["item"] < 0).sum()),
        bad_timestamp=int(calls["garbled"].sum()),
        misspelled=int(calls["misspelled"].sum()),
        test_calls=int(calls["test"].sum()),
    )
