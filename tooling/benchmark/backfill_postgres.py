"""Figure `backfill_postgres`: the full-history backfill on `make serve`'s Dagster instance.

The `backfill` figure runs on an in-memory instance, which measures the pipeline. A city runs
on PostgreSQL (deploy/serve/dagster.yaml): every event the run records is a row written to a
server. This figure runs the same window, on a fresh deployment of its own, with the run
recording into a PostgreSQL server started for it (tooling/launcher/postgres.py), and prints
the wall time, the events and their rate, the run's peak memory and the server's, beside
the in-memory figure's. Targets (issue 19): under 10 minutes and 3 GiB for the run.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from tooling.benchmark import backfill
from tooling.benchmark.context import BenchContext
from tooling.benchmark.figures import Figure, FigureResult, Row, Status
from tooling.benchmark.measure import Measured, TreeSampler
from tooling.launcher.embedded import free_port
from tooling.launcher.postgres import (
    PostgresServer,
    PostgresUnavailable,
    reachable_cluster_root,
    running_postgres,
)

NAME = "backfill_postgres"
DEPLOYMENT = "full-pg"
STEP = f"backfill-{DEPLOYMENT}"
MAX_SECONDS = backfill.MAX_SECONDS
MAX_RSS_MIB = backfill.MAX_RSS_MIB
SHIPPED_INSTANCE = Path(__file__).resolve().parents[2] / "deploy" / "serve" / "dagster.yaml"


def run_on_postgres(context: BenchContext) -> tuple[Measured, float]:
    """The backfill recorded in a fresh PostgreSQL instance: the run, and the peak memory
    of the server's processes while it ran."""
    deployment = context.deployment(DEPLOYMENT)
    home = deployment.root / "dagster_home"
    home.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(SHIPPED_INSTANCE, home / "dagster.yaml")
    window = context.backfill_window
    with reachable_cluster_root("civic-bench-pg-") as root:
        cluster_root, port = root / "postgres", free_port()
        with running_postgres(cluster_root, port) as credentials:
            env = {**credentials.environment(), "DAGSTER_HOME": str(home)}
            server = PostgresServer(cluster_root, port)
            context.say(f"backfill on PostgreSQL: {window.start}..{window.end} in one run ...")
            with TreeSampler(server.pid(), interval_s=0.5) as sampler:
                measured = deployment.run_daily_publish(window, STEP, env, instance="home")
            context.say(f"backfill on PostgreSQL took {measured.seconds:.0f} s")
            return measured, sampler.peak_mib


def measure(context: BenchContext) -> FigureResult:
    try:
        measured, server_peak_mib = run_on_postgres(context)
    except PostgresUnavailable as missing:
        not_measured = (Row("backfill on PostgreSQL", "not measured"),)
        return FigureResult(not_measured, Status.ERROR, str(missing))
    if not measured.ok:
        message = f"the backfill run failed (exit {measured.returncode}), see {measured.log}"
        failed = (Row("backfill on PostgreSQL", "failed"),)
        return FigureResult(failed, Status.ERROR, f"{message}\n{measured.tail()}")
    deployment = context.deployment(DEPLOYMENT)
    events = deployment.run_summary(STEP)["events"]
    rate = events / measured.seconds if measured.seconds else 0.0
    # Beside the `backfill` figure's run when this bench measured it (it prints first).
    in_memory = context.measured_backfill("full")
    rows = (
        Row("backfill on PostgreSQL", round(measured.seconds, 1), f"s; target: {MAX_SECONDS}"),
        *deployment.breakdown(STEP, measured).rows(),
        Row("  Dagster events", events, f"recorded in PostgreSQL, {rate:,.0f} per second of run"),
        Row("  run's peak RSS", round(measured.peak_rss_mib), f"MiB; target: under {MAX_RSS_MIB}"),
        Row(
            "  PostgreSQL's peak RSS",
            round(server_peak_mib),
            "MiB, summed over the server's processes (shared buffers counted in each)",
        ),
        Row(
            "  vs the in-memory instance",
            round(measured.seconds / in_memory.seconds, 2)
            if in_memory is not None and in_memory.ok
            else "n/a",
            "x the backfill figure's wall time",
        ),
    )
    missed = []
    if measured.seconds >= MAX_SECONDS:
        missed.append(f"on PostgreSQL it took {measured.seconds:.0f} s, not under {MAX_SECONDS}")
    if measured.peak_rss_mib >= MAX_RSS_MIB:
        missed.append(f"its run held {measured.peak_rss_mib:.0f} MiB, not under {MAX_RSS_MIB}")
    results = {
        "backfill_pg_s": round(measured.seconds, 1),
        "backfill_pg_events": events,
        "backfill_pg_events_per_s": round(rate, 1),
        "backfill_pg_peak_rss_mb": round(measured.peak_rss_mib),
        "backfill_pg_server_peak_rss_mb": round(server_peak_mib),
    }
    return FigureResult(rows, Status.MISSED if missed else Status.MET, "; ".join(missed), results)


FIGURE = Figure(
    NAME, "Full-history backfill on PostgreSQL (make serve's instance), in one run", measure
)
