"""Platforms whose runs execute in child processes, as two `dagster job execute` would."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT
from tests.pipeline.conftest import DAY, PUBLISHER

FIRST = DAY - timedelta(days=2)
# An instance without the shipped run queue and pool limit: the warehouse must hold without them.
UNQUEUED_INSTANCE = "telemetry:\n  enabled: false\nnux:\n  enabled: false\n"


@pytest.fixture(scope="module")
def unqueued_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("unqueued_dagster_home")
    (home / "dagster.yaml").write_text(UNQUEUED_INSTANCE)
    return home


def start_range_run(platform, home: Path, start, end) -> subprocess.Popen:
    """`daily_publish` over start..end in a child process against the platform's portals.

    Its output goes to a file, not a pipe: a run that waits on an unread pipe while it holds
    the warehouse would stop the other run, waiting for the warehouse, for good.
    """
    env = {
        **os.environ,
        "DAGSTER_HOME": str(home),
        "WAREHOUSE_PATH": str(platform.warehouse),
        "PUBLIC_SOCRATA_USERNAME": PUBLISHER[0],
        "PUBLIC_SOCRATA_PASSWORD": PUBLISHER[1],
    }
    command = [
        sys.executable,
        "-m",
        "tests.concurrency.run_range",
        str(platform.warehouse),
        f"{platform.source.host}:{platform.source.port}",
        f"{platform.public.host}:{platform.public.port}",
        start.isoformat(),
        end.isoformat(),
    ]
    log = platform.root / f"run-{start.isoformat()}-{end.isoformat()}.log"
    with log.open("w") as output:
        process = subprocess.Popen(
            command, cwd=REPO_ROOT, env=env, stdout=output, stderr=subprocess.STDOUT, text=True
        )
    process.log_path = log
    return process


def finished(process: subprocess.Popen, timeout_s: float = 900) -> tuple[int, str]:
    process.wait(timeout=timeout_s)
    return process.returncode, process.log_path.read_text()
