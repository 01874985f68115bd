"""Figure `dagster_events`: what Dagster's file-based storage adds to the backfill.

A run over N days records an event per asset and day (a materialization; with the default
settings a planned event too): the backfill figure counts them. The bench runs on an
in-memory instance; this figure writes the same kind of events (partitioned
materializations) to a fresh instance with the storage `deploy/dagster.yaml` ships (SQLite
under DAGSTER_HOME, one transaction per event), in a child process, and turns the rate into
the time the backfill's events would add there. No target: the remedy is the deployment's
(Postgres storage), described in the README.
"""

from __future__ import annotations

import json
import shutil
import sys
import textwrap
from pathlib import Path

from tooling.benchmark.context import BenchContext
from tooling.benchmark.figures import Figure, FigureResult, Row, Status
from tooling.benchmark.measure import run_measured

NAME = "dagster_events"
SAMPLE_EVENTS = 500
SHIPPED_INSTANCE = Path(__file__).resolve().parents[2] / "deploy" / "dagster.yaml"

_WRITER = textwrap.dedent(
    """
    import json, sys, time
    import dagster as dg
    count = int(sys.argv[1])
    with dg.DagsterInstance.get() as instance:
        started = time.perf_counter()
        for n in range(count):
            instance.report_runless_asset_event(
                dg.AssetMaterialization(
                    asset_key=f"asset_{n % 40}", partition=f"2020-01-{n % 28 + 1:02d}"
                )
            )
        print(json.dumps({"seconds": time.perf_counter() - started}))
    """
)


def measure(context: BenchContext) -> FigureResult:
    backfill = context.backfill("full", context.backfill_window)
    events = context.deployment("full").run_summary("backfill-full")["events"] if backfill.ok else 0
    home = context.work_dir / "dagster_events"
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir(parents=True)
    shutil.copyfile(SHIPPED_INSTANCE, home / "dagster.yaml")
    context.say(f"writing {SAMPLE_EVENTS} materializations to a SQLite Dagster instance ...")
    measured = run_measured(
        [sys.executable, "-c", _WRITER, str(SAMPLE_EVENTS)],
        cwd=home,
        log=home / "writer.out",
        env={"DAGSTER_HOME": str(home)},
    )
    if not measured.ok:
        return FigureResult((Row("writer", "failed"),), Status.ERROR, measured.tail())
    lines = [line for line in measured.log.read_text().splitlines() if line.startswith("{")]
    rate = SAMPLE_EVENTS / json.loads(lines[-1])["seconds"]
    added = events / rate if rate else 0.0
    rows = (
        Row("events of the backfill run", events, "materializations, checks, steps"),
        Row("SQLite instance", round(rate, 1), "events/s (one transaction each)"),
        Row("  would add to the backfill", round(added), "s on the shipped storage"),
    )
    results = {
        "dagster_sqlite_events_per_s": round(rate, 1),
        "backfill_sqlite_events_s_estimate": round(added),
    }
    return FigureResult(rows, Status.MET, "", results)


FIGURE = Figure(NAME, "Dagster's SQLite bookkeeping for the backfill's events", measure)
