"""A city's whole history at scale: fifteen years of internal exports, served by a local portal.

A city adopting the platform starts with a backfill of everything it has. The bench builds
that history the way the embedded default builds a sample: the generator writes each
source's internal export at the city's realistic daily volume, and a local portal serves it.
`scale` is the share of the fifteen years generated, ending on the same last day (1.0: 2011
to 2025, about 6 million calls, a million 311 requests, twenty thousand use-of-force rows;
0.05: the last nine months). Scaling the span rather than the volume keeps every day as busy
as the city's, so a nightly run is measured on a real night's rows. Years are generated in
parallel worker processes, one chunk of years each, and their CSV bodies joined under one
header, so generating takes a fraction of the backfill.
"""

from __future__ import annotations

import os
import shutil
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from orchestration.catalog import SOURCES, Source
from orchestration.partitions import DayWindow
from tooling.generator.samples import write_samples

YEARS = 15
# A fixed last day keeps a seed's history the same run after run.
LAST_DAY = date(2025, 12, 31)
FIRST_DAY = date(LAST_DAY.year - YEARS + 1, 1, 1)


@dataclass(frozen=True)
class History:
    """The generated internal exports: where they are, their span, rows per source."""

    internal_dir: Path
    first_day: date
    last_day: date  # inclusive
    rows_by_source: dict[str, int]
    generate_seconds: float
    scale: float

    @property
    def rows(self) -> int:
        return sum(self.rows_by_source.values())

    @property
    def window(self) -> DayWindow:
        return DayWindow(self.first_day, self.last_day + timedelta(days=1))


def year_chunks(first: date, last: date, workers: int) -> list[tuple[date, date]]:
    """The span cut into at most `workers` runs of whole years, in order (inclusive ends)."""
    years = list(range(first.year, last.year + 1))
    size = -(-len(years) // max(1, workers))
    chunks = []
    for index in range(0, len(years), size):
        chunk = years[index : index + size]
        start = max(first, date(chunk[0], 1, 1))
        end = min(last, date(chunk[-1], 12, 31))
        chunks.append((start, end))
    return chunks


def source_first_day(source: Source) -> date | None:
    """The first day a source has data, where it starts later than the others.

    New Orleans' 311 data starts in 2012, a year after calls for service.
    """
    if source.name == "service_requests_311":
        from tooling.generator.service_requests_reference import (
            load_service_requests_reference,
        )

        return load_service_requests_reference().first_day
    return None


def _generate_chunk(directory: str, first: date, last: date, seed: int) -> dict[str, int]:
    rows = {}
    for source in SOURCES:
        start = max(first, source_first_day(source) or first)
        if start > last:
            continue
        summaries = write_samples(Path(directory), start, last, seed=seed, sources=(source,))
        rows[source.name] = summaries[source.name].rows
    return rows


def join_exports(parts: list[Path], target: Path, sources: tuple[Source, ...] = SOURCES) -> None:
    """One export per dataset in `target`: the first part's header, every part's rows.

    Parts must agree on the header (the generator writes one layout per dataset); a
    mismatch would shift columns, so it is refused.
    """
    target.mkdir(parents=True, exist_ok=True)
    for source in sources:
        name = f"{source.internal_dataset_id}.csv"
        partial = target / (name + ".partial")
        header: bytes | None = None
        with partial.open("wb") as output:
            for part in [part for part in parts if (part / name).exists()]:
                with (part / name).open("rb") as rows:
                    first_line = rows.readline()
                    if header is None:
                        header = first_line
                        output.write(header)
                    elif first_line != header:
                        raise ValueError(f"{part / name} has another header than the first part")
                    shutil.copyfileobj(rows, output, 1 << 20)
        partial.replace(target / name)
        meta = f"{source.internal_dataset_id}.meta.json"
        shutil.copyfile(
            next(part for part in parts if (part / meta).exists()) / meta, target / meta
        )


def first_day_at(scale: float, last: date = LAST_DAY) -> date:
    """The first day of a history of `scale` times fifteen years ending on `last`."""
    if scale >= 1:
        return FIRST_DAY
    return last - timedelta(days=max(1, round((last - FIRST_DAY).days * scale)) - 1)


def build_history(
    work_dir: Path,
    *,
    scale: float,
    seed: int,
    last: date = LAST_DAY,
    workers: int | None = None,
) -> History:
    """Generate every source's internal export for `scale` of the history into `work_dir`."""
    started = time.monotonic()
    first = first_day_at(scale, last)
    internal = work_dir / "internal"
    parts_dir = work_dir / "parts"
    shutil.rmtree(internal, ignore_errors=True)
    shutil.rmtree(parts_dir, ignore_errors=True)
    chunks = year_chunks(first, last, workers or os.cpu_count() or 1)
    parts = [parts_dir / f"part-{index}" for index in range(len(chunks))]
    rows: dict[str, int] = {}
    with ProcessPoolExecutor(max_workers=len(chunks)) as pool:
        futures = [
            pool.submit(_generate_chunk, str(part), start, end, seed + index)
            for index, (part, (start, end)) in enumerate(zip(parts, chunks, strict=True))
        ]
        for future in futures:
            for name, count in future.result().items():
                rows[name] = rows.get(name, 0) + count
    join_exports(parts, internal)
    shutil.rmtree(parts_dir, ignore_errors=True)
    return History(internal, first, last, rows, round(time.monotonic() - started, 1), scale)
