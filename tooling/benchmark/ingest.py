"""Figure `ingest`: rows a second from the internal portal into the raw tables, and memory.

Three child processes read the history's internal portal: the pipeline's raw loader over the
whole history of every source (the figure); the same loader over one year of calls for
service; and the naive path a newcomer would write (sodapy's `get_all` into pandas) over that
same year, so the comparison is of the same rows. Targets: at least 100,000 rows a second,
at least ten times the naive path, and a peak memory that does not grow with the history
(the whole history's peak within 1.5 times the one year's).
"""

from __future__ import annotations

import json
import sys
from datetime import date

from orchestration.catalog import CALLS_FOR_SERVICE
from orchestration.partitions import DayWindow
from tooling.benchmark.context import BenchContext
from tooling.benchmark.figures import Figure, FigureResult, Row, Status
from tooling.benchmark.measure import Measured, run_measured

NAME = "ingest"
MIN_ROWS_PER_S = 100_000
MIN_VS_NAIVE = 10.0
MAX_RSS_GROWTH = 1.5


def _ingest(
    context: BenchContext, mode: str, window: DayWindow, label: str, sources: list[str] | None
) -> tuple[Measured, int, float]:
    directory = context.work_dir / "ingest"
    directory.mkdir(parents=True, exist_ok=True)
    warehouse = directory / f"{label}.duckdb"
    warehouse.unlink(missing_ok=True)
    command = [sys.executable, "-m", "tooling.benchmark.ingest_run", mode]
    command += ["--domain", context.source_portal().domain, "--warehouse", str(warehouse)]
    command += ["--start", window.start.isoformat(), "--end", window.end.isoformat()]
    for name in sources or []:
        command += ["--source", name]
    context.say(f"ingest ({label}): {window.start}..{window.end} ...")
    measured = run_measured(command, cwd=directory, log=directory / f"{label}.out")
    warehouse.unlink(missing_ok=True)
    if not measured.ok:
        raise RuntimeError(
            f"ingest {label} failed (exit {measured.returncode}):\n{measured.tail()}"
        )
    lines = [line for line in measured.log.read_text().splitlines() if line.startswith("{")]
    summary = json.loads(lines[-1])
    return measured, int(summary["rows"]), float(summary["seconds"])


def last_full_year(context: BenchContext) -> DayWindow:
    year = context.history().last_day.year
    return DayWindow(date(year, 1, 1), date(year + 1, 1, 1))


def measure(context: BenchContext) -> FigureResult:
    history = context.history()
    full, full_rows, full_s = _ingest(context, "fast", history.window, "history", None)
    year = last_full_year(context)
    calls = [CALLS_FOR_SERVICE.name]
    fast, fast_rows, fast_s = _ingest(context, "fast", year, "one-year", calls)
    naive, naive_rows, naive_s = _ingest(context, "naive", year, "one-year-naive", calls)
    if naive_rows != fast_rows:
        message = f"the naive path read {naive_rows:,} rows, the loader {fast_rows:,}"
        return FigureResult((Row("rows differ", message),), Status.ERROR, message)

    rate = full_rows / full_s
    fast_rate, naive_rate = fast_rows / fast_s, naive_rows / naive_s
    ratio = fast_rate / naive_rate
    growth = full.peak_rss_mib / fast.peak_rss_mib
    rows = (
        Row("history rows loaded", full_rows, f"rows, all sources, {history.window.start}.."),
        Row("history load", round(full_s, 1), f"s ({full.seconds:.1f} s with the process start)"),
        Row("  ingest rows/s", round(rate), f"target: at least {MIN_ROWS_PER_S:,}"),
        Row("  peak RSS", round(full.peak_rss_mib), "MiB"),
        Row("one year of calls", fast_rows, f"rows, {year.start.year}"),
        Row("  loader", round(fast_s, 2), f"s, {round(fast_rate):,} rows/s"),
        Row(
            "  naive (get_all -> pandas)",
            round(naive_s, 2),
            f"s, {round(naive_rate):,} rows/s",
        ),
        Row("  loader / naive", round(ratio, 1), f"times; target: at least {MIN_VS_NAIVE:g}"),
        Row(
            "  peak RSS loader, naive", f"{fast.peak_rss_mib:.0f}, {naive.peak_rss_mib:.0f}", "MiB"
        ),
        Row("peak RSS history / one year", round(growth, 2), f"target: at most {MAX_RSS_GROWTH}"),
    )
    missed = []
    if rate < MIN_ROWS_PER_S:
        missed.append(f"{rate:,.0f} rows/s is below {MIN_ROWS_PER_S:,}")
    if ratio < MIN_VS_NAIVE:
        missed.append(f"{ratio:.1f} times the naive path is below {MIN_VS_NAIVE:g}")
    if growth > MAX_RSS_GROWTH:
        missed.append(f"peak memory grows {growth:.2f} times from one year to the history")
    results = {
        "ingest_rows": full_rows,
        "ingest_seconds": round(full_s, 2),
        "ingest_process_seconds": round(full.seconds, 2),
        "ingest_rows_per_s": round(rate),
        "ingest_vs_naive": round(ratio, 2),
        "ingest_peak_rss_mb": round(full.peak_rss_mib),
        "ingest_one_year_peak_rss_mb": round(fast.peak_rss_mib),
        "ingest_naive_rows_per_s": round(naive_rate),
        "ingest_naive_peak_rss_mb": round(naive.peak_rss_mib),
    }
    status = Status.MISSED if missed else Status.MET
    return FigureResult(rows, status, "; ".join(missed), results)


FIGURE = Figure(NAME, "Ingest: internal portal to raw tables, against the naive path", measure)
