"""Figure `dbt_overhead`: the dbt build of the full history against the same SQL run directly.

On the backfilled warehouse, `dbt build` runs over the whole history's window as the Dagster
asset runs it (seeds aside: they are loaded, and their inserts carry bound values the log
does not show), with its debug log as JSON. Then every statement that build sent to DuckDB
is run again, in one process, on cursors named like dbt's connections, and the Python models
the way dbt-duckdb runs them (`dbt_replay`). Both leave the warehouse as they found it: the
marts are incremental and replace exactly the window. Target: dbt at most 1.5 times the
direct run.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from orchestration.catalog import privacy_vars
from orchestration.transform.invocation import dbt_build_args, dbt_environment
from orchestration.transform.project import DBT_EXECUTABLE, DBT_PROJECT_DIR
from tooling.benchmark.context import BenchContext
from tooling.benchmark.figures import Figure, FigureResult, Row, Status
from tooling.benchmark.measure import run_measured

NAME = "dbt_overhead"
MAX_RATIO = 1.5


def dbt_build_command(target_dir: Path) -> list[str]:
    return [
        DBT_EXECUTABLE,
        *dbt_build_args(privacy_vars()),
        *("--exclude-resource-type", "seed", "--profiles-dir", "."),
        *("--target-path", str(target_dir), "--log-path", str(target_dir)),
        *("--log-level-file", "debug", "--log-format-file", "json"),
    ]


def measure(context: BenchContext) -> FigureResult:
    backfill = context.backfill("full", context.backfill_window)
    if not backfill.ok:
        return FigureResult((Row("backfill", "failed"),), Status.ERROR, "needs the backfill")
    deployment = context.deployment("full")
    target_dir = context.work_dir / "dbt_overhead"
    shutil.rmtree(target_dir, ignore_errors=True)
    env = {"WAREHOUSE_PATH": str(deployment.warehouse)}
    window = context.backfill_window
    context.say(f"dbt build of {window.start}..{window.end} ...")
    dbt = run_measured(
        dbt_build_command(target_dir),
        cwd=DBT_PROJECT_DIR,
        log=target_dir / "build.out",
        env={**env, **dbt_environment(window)},
    )
    if not dbt.ok:
        message = f"dbt build failed (exit {dbt.returncode}), see {dbt.log}:\n{dbt.tail()}"
        return FigureResult((Row("dbt build", "failed"),), Status.ERROR, message)
    context.say(f"dbt build took {dbt.seconds:.1f} s; the same SQL directly ...")
    direct = run_measured(
        [
            sys.executable,
            *("-m", "tooling.benchmark.dbt_replay"),
            *(str(target_dir / "dbt.log"), str(target_dir), str(deployment.warehouse)),
        ],
        cwd=DBT_PROJECT_DIR,
        log=target_dir / "replay.out",
        env=env,
    )
    if not direct.ok:
        message = (
            f"the replay failed (exit {direct.returncode}), see {direct.log}:\n{direct.tail()}"
        )
        return FigureResult((Row("replay", "failed"),), Status.ERROR, message)
    ratio = dbt.seconds / direct.seconds
    rows = (
        Row("dbt build, full history", round(dbt.seconds, 1), "s, one process + its threads"),
        Row("same SQL in DuckDB", round(direct.seconds, 1), "s, one process"),
        Row("dbt overhead", round(ratio, 2), f"times; target: at most {MAX_RATIO}"),
        Row("  peak RSS dbt, direct", f"{dbt.peak_rss_mib:.0f}, {direct.peak_rss_mib:.0f}", "MiB"),
    )
    status = Status.MET if ratio <= MAX_RATIO else Status.MISSED
    message = "" if status is Status.MET else f"dbt took {ratio:.2f} times the direct SQL"
    results = {
        "dbt_build_s": round(dbt.seconds, 1),
        "dbt_direct_s": round(direct.seconds, 1),
        "dbt_overhead_ratio": round(ratio, 3),
    }
    return FigureResult(rows, status, message, results)


FIGURE = Figure(NAME, "dbt build of the full history vs. the same SQL run directly", measure)
