"""The baseline: `dbt build` of a whole span, as the Dagster dbt asset runs it.

Same project, profile, arguments and environment (orchestration/transform/invocation.py: the
privacy parameters as vars, the span's window in the environment), one child process. dbt's
target and logs go to the work directory, so a bench never clobbers `dbt_project/target`,
where the Dagster definitions read their manifest.
"""

from __future__ import annotations

from pathlib import Path

from orchestration.catalog import SOURCES, Source, privacy_vars
from orchestration.transform.invocation import dbt_build_args, dbt_environment
from orchestration.transform.project import DBT_EXECUTABLE, DBT_PROJECT_DIR
from tooling.benchmark.measure import Measured, run_measured
from tooling.benchmark.span import Span


def dbt_build_command(target_dir: Path, sources: tuple[Source, ...] = SOURCES) -> list[str]:
    return [
        DBT_EXECUTABLE,
        *dbt_build_args(privacy_vars(sources)),
        *("--profiles-dir", "."),
        *("--target-path", str(target_dir), "--log-path", str(target_dir)),
    ]


def run_dbt_build(span: Span, work_dir: Path, sources: tuple[Source, ...] = SOURCES) -> Measured:
    """Build (run and test) every model of the span's window into the span's warehouse."""
    target_dir = work_dir / "dbt"
    return run_measured(
        dbt_build_command(target_dir, sources),
        cwd=DBT_PROJECT_DIR,
        log=target_dir / "build.out",
        env={"WAREHOUSE_PATH": str(span.warehouse), **dbt_environment(span.window)},
    )
