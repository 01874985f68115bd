"""The baseline: `dbt build` of a whole span, as the Dagster dbt asset runs it.

Same project, profile and vars (`dbt_vars(window)`: the window and every source's privacy
parameters), one child process. dbt's target and logs go to the work directory, so a bench
never clobbers `dbt_project/target`, where the Dagster definitions read their manifest.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from orchestration.catalog import SOURCES, Source, dbt_vars
from orchestration.transform.project import DBT_PROJECT_DIR
from tooling.benchmark.measure import Measured, run_measured
from tooling.benchmark.span import Span


def dbt_build_command(span: Span, target_dir: Path, sources: tuple[Source, ...] = SOURCES):
    return [
        str(Path(sys.executable).with_name("dbt")),
        "build",
        "--profiles-dir",
        ".",
        "--target-path",
        str(target_dir),
        "--log-path",
        str(target_dir),
        "--vars",
        json.dumps(dbt_vars(span.window, sources)),
    ]


def run_dbt_build(span: Span, work_dir: Path, sources: tuple[Source, ...] = SOURCES) -> Measured:
    """Build (run and test) every model of the span's window into the span's warehouse."""
    target_dir = work_dir / "dbt"
    return run_measured(
        dbt_build_command(span, target_dir, sources),
        cwd=DBT_PROJECT_DIR,
        log=target_dir / "build.out",
        env={"WAREHOUSE_PATH": str(span.warehouse)},
    )
