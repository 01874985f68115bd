"""Figure `backfill`: the whole history, raw to published, in one run; its time and memory.

A fresh deployment runs `daily_publish` over every day of the history but the last (the
nightly figure brings that one) as one run, the way an operator's backfill runs under the
single-run backfill policy: ingest, dbt, contracts, publish. The generator's own time is
printed beside it: building the history must take well under the backfill.
"""

from __future__ import annotations

from tooling.benchmark.context import BenchContext
from tooling.benchmark.figures import Figure, FigureResult, Row, Status

NAME = "backfill"
MAX_SECONDS = 600
MAX_RSS_MIB = 3 * 1024


def measure(context: BenchContext) -> FigureResult:
    history = context.history()
    window = context.backfill_window
    measured = context.backfill("full", window)
    if not measured.ok:
        message = f"the backfill run failed (exit {measured.returncode}), see {measured.log}"
        return FigureResult(
            (Row("backfill", "failed"),), Status.ERROR, f"{message}\n{measured.tail()}"
        )
    sent, _ = context.deployment("full").sent("backfill-full")
    events = context.deployment("full").run_summary("backfill-full")["events"]
    split = context.deployment("full").breakdown("backfill-full", measured)
    rows = (
        Row("history generated", round(history.generate_seconds, 1), f"s, {history.rows:,} rows"),
        Row(
            "backfill window",
            f"{window.start}..{window.end}",
            f"{len(window.days):,} days, one run",
        ),
        Row("backfill", round(measured.seconds, 1), f"s; target: under {MAX_SECONDS}"),
        *split.rows(),
        Row("  rows published", sent, "rows, all datasets"),
        Row("  Dagster events", events, "in memory; on SQLite: see dagster_events"),
        Row("  peak RSS", round(measured.peak_rss_mib), f"MiB; target: under {MAX_RSS_MIB}"),
    )
    missed = []
    if measured.seconds >= MAX_SECONDS:
        missed.append(f"the backfill took {measured.seconds:.0f} s, not under {MAX_SECONDS}")
    if measured.peak_rss_mib >= MAX_RSS_MIB:
        missed.append(f"it held {measured.peak_rss_mib:.0f} MiB, not under {MAX_RSS_MIB}")
    if history.generate_seconds >= measured.seconds:
        missed.append("generating the history took longer than backfilling it")
    results = {
        "history_rows": history.rows,
        "generate_s": history.generate_seconds,
        "backfill_s": round(measured.seconds, 1),
        "backfill_peak_rss_mb": round(measured.peak_rss_mib),
        "backfill_rows_published": sent,
        "backfill_dagster_events": events,
        **split.results("backfill"),
    }
    return FigureResult(rows, Status.MISSED if missed else Status.MET, "; ".join(missed), results)


FIGURE = Figure(NAME, "Full-history backfill, raw to published, in one run", measure)
