"""The benchmark's dbt builds run dbt as the Dagster asset does, so they time what it runs."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from orchestration.catalog import privacy_vars
from orchestration.partitions import DayWindow
from orchestration.transform.invocation import dbt_build_args, dbt_environment
from tooling.benchmark import dbt_build, dbt_overhead
from tooling.benchmark.measure import Measured
from tooling.benchmark.span import Span

WINDOW = DayWindow(date(2024, 1, 1), date(2024, 1, 8))


def contains(command: list[str], part: list[str]) -> bool:
    return any(command[i : i + len(part)] == part for i in range(len(command)))


def test_the_span_build_has_the_assets_arguments_and_environment(tmp_path, monkeypatch):
    calls = []

    def run_measured(command, *, cwd, log, env=None):
        calls.append((command, env))
        return Measured(0, 1.0, 1.0, log)

    monkeypatch.setattr(dbt_build, "run_measured", run_measured)
    span = Span(WINDOW, tmp_path / "warehouse.duckdb", {}, 0.0)
    dbt_build.run_dbt_build(span, tmp_path)
    [(command, env)] = calls
    assert contains(command, dbt_build_args(privacy_vars()))
    assert not any("partition" in part for part in command)
    assert env == {"WAREHOUSE_PATH": str(span.warehouse), **dbt_environment(WINDOW)}


def test_the_overhead_build_has_the_assets_arguments():
    command = dbt_overhead.dbt_build_command(Path("target"))
    assert contains(command, dbt_build_args(privacy_vars()))
    assert not any("partition" in part for part in command)
