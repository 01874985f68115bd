"""Deployments for the history figures: a warehouse, a Dagster home and a public portal each.

Each deployment runs `daily_publish` over a window as one run, as an operator's backfill
does under the single-run backfill policy, in a child process (`run_job`), against local
portals that run as processes of their own (the city's portals are not part of what the
pipeline's memory figure counts). All of them read the one internal portal serving the
history.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from orchestration.partitions import DayWindow
from tooling.benchmark.measure import Measured, run_measured
from tooling.benchmark.page_cache import evict_from_page_cache
from tooling.benchmark.run_breakdown import RunBreakdown, breakdown
from tooling.launcher.embedded import (
    PUBLISHER_USERNAME,
    RunningPortal,
    free_port,
    provisioned_environment,
    wait_until_healthy,
)
from tooling.launcher.event_recording import RANGE_RUN_RECORDING

WAREHOUSE_FILE = "warehouse.duckdb"  # the dbt project expects a database named `warehouse`
PORTAL_START_S = 1800  # importing fifteen years of CSV takes minutes at full scale


@contextmanager
def portal_process(data_dir: Path, *, password: str | None = None) -> Iterator[RunningPortal]:
    """A local portal serving `data_dir` on a free loopback port, in its own process."""
    port = free_port()
    command = [str(Path(sys.executable).with_name("local-portal")), "serve"]
    command += ["--data-dir", str(data_dir), "--port", str(port), "--log-level", "WARNING"]
    env = dict(os.environ)
    username = ""
    if password:
        username = PUBLISHER_USERNAME
        command += ["--username", username]
        env["LOCAL_PORTAL_PASSWORD"] = password
    process = subprocess.Popen(command, env=env, stdin=subprocess.DEVNULL)
    try:
        wait_until_healthy(port, process, timeout_s=PORTAL_START_S)
        yield RunningPortal(data_dir, port, username, password or "")
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()


@dataclass
class Deployment:
    """One deployment of the platform under `root`, publishing to its own portal."""

    name: str
    root: Path
    source: RunningPortal
    public: RunningPortal

    @property
    def warehouse(self) -> Path:
        return self.root / WAREHOUSE_FILE

    def environment(self) -> dict[str, str]:
        self.root.mkdir(parents=True, exist_ok=True)
        return {
            "WAREHOUSE_PATH": str(self.warehouse),
            # Runs record their events as the platform's launcher has Dagster record them.
            **RANGE_RUN_RECORDING,
            **provisioned_environment(self.root, self.source, self.public),
        }

    def run_daily_publish(
        self,
        window: DayWindow,
        step: str,
        extra_env: dict[str, str] | None = None,
        *,
        instance: str = "memory",
        cold_warehouse: bool = False,
    ) -> Measured:
        """`daily_publish` over the window's days as one run, timed, its memory measured;
        `instance="home"` records it in DAGSTER_HOME's instance rather than in memory;
        `cold_warehouse` starts it with the warehouse out of the page cache (`page_cache`).

        The run's summary (success, events, rows and bytes each publish step sent) is the
        last line of its log; `published()` reads it.
        """
        command = [sys.executable, "-m", "tooling.benchmark.run_job"]
        command += [window.start.isoformat(), window.days[-1].isoformat(), "--instance", instance]
        env = {**self.environment(), **(extra_env or {})}
        if cold_warehouse:
            evict_from_page_cache(self.warehouse)
        return run_measured(command, cwd=self.root, log=self.log_path(step), env=env)

    def log_path(self, step: str) -> Path:
        return self.root / "logs" / f"{step}.out"

    def run_summary(self, step: str) -> dict[str, Any]:
        """What the run of `step` printed last: success, events, rows sent per dataset."""
        lines = self.log_path(step).read_text(errors="replace").splitlines()
        for line in reversed(lines):
            if line.startswith('{"success"'):
                return json.loads(line)
        return {"success": False, "events": 0, "published": {}}

    def breakdown(self, step: str, measured: Measured) -> RunBreakdown:
        """Where the run of `step` spent its wall time, by kind of step."""
        step_seconds = self.run_summary(step).get("step_seconds", {})
        return breakdown(measured.seconds, step_seconds, self.log_path(step))

    def sent(self, step: str) -> tuple[int, int]:
        """Rows and bytes the publish steps of `step`'s run sent, all datasets."""
        published = self.run_summary(step)["published"].values()
        return (
            sum(int(item["rows_sent"] or 0) for item in published),
            sum(int(item["bytes_sent"] or 0) for item in published),
        )
