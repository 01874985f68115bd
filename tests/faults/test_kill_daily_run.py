"""A daily run SIGKILLed during ingest, during dbt or during publish leaves a warehouse that
opens with no key twice, and the next run finishes the day: the public portal then holds
every mart row once, and the ledger agrees."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import timedelta

import dagster as dg
import pytest

from orchestration.catalog import CALLS_FOR_SERVICE
from tests.conftest import REPO_ROOT
from tests.faults.conftest import clear_faults, clear_log, logged, queue_fault
from tests.faults.platform import (
    CFS_PUBLIC_ID,
    CFS_SOURCE_ID,
    assert_portal_equals_mart,
    run_day,
    warehouse_duplicates,
)
from tests.pipeline.conftest import DAY, PUBLISHER, running_platform, write_sample_exports

pytestmark = [pytest.mark.slow, pytest.mark.integration]

PAGE_ROWS, CHUNK_ROWS = 25, 15
WAIT_S = 600


@pytest.fixture(scope="module")
def platform(tmp_path_factory):
    root = tmp_path_factory.mktemp("killed")
    exports = write_sample_exports(root / "portal" / "internal", DAY - timedelta(days=2), DAY)
    with running_platform(root, exports) as running:
        yield running


def start_run(platform, day, home) -> subprocess.Popen:
    """The daily job in a child process, in a session of its own (dbt's process with it)."""
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    env = {
        **os.environ,
        "DAGSTER_HOME": str(home),
        "WAREHOUSE_PATH": str(platform.warehouse),
        "PUBLIC_SOCRATA_USERNAME": PUBLISHER[0],
        "PUBLIC_SOCRATA_PASSWORD": PUBLISHER[1],
    }
    command = [
        sys.executable, "-m", "tests.faults.run_daily", str(platform.warehouse),
        f"{platform.source.host}:{platform.source.port}",
        f"{platform.public.host}:{platform.public.port}",
        day.isoformat(), str(CHUNK_ROWS), str(PAGE_ROWS),
    ]  # fmt: skip
    return subprocess.Popen(
        command, cwd=REPO_ROOT, env=env, start_new_session=True,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip


def kill_when(process: subprocess.Popen, ready: Callable[[], bool]) -> None:
    """SIGKILL the run's whole process group (the run and its dbt) once `ready()` holds."""
    deadline = time.monotonic() + WAIT_S
    while not ready():
        assert process.poll() is None, "the run ended before the kill point"
        assert time.monotonic() < deadline, "the kill point never came"
        time.sleep(0.1)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def dbt_started(home) -> Callable[[], bool]:
    """True once the calls' dbt step has started (and had a moment to write)."""
    calls_step = f"dbt_{CALLS_FOR_SERVICE.name}"
    seen: dict[str, float] = {}

    def ready() -> bool:
        if "at" in seen:
            return time.monotonic() - seen["at"] > 3
        with dg.DagsterInstance.from_config(str(home)) as instance:
            for run in instance.get_runs(limit=1):
                for entry in instance.all_logs(run.run_id, of_type=dg.DagsterEventType.STEP_START):
                    if entry.step_key == calls_step:
                        seen["at"] = time.monotonic()
        return False

    return ready


def answered(portal, path: str, method: str, at_least: int) -> Callable[[], bool]:
    def ready() -> bool:
        entries = logged(portal)
        return (
            sum(e["path"] == path and e["method"] == method and e["status"] == 200 for e in entries)
            >= at_least
        )

    return ready


def finish_and_check(platform, day) -> None:
    assert warehouse_duplicates(platform.warehouse) == {}  # and the file opened
    clear_faults(platform.source)
    clear_faults(platform.public)
    rerun = run_day(platform, day, chunk_size=CHUNK_ROWS, source={"page_size": PAGE_ROWS})
    assert rerun.success
    assert warehouse_duplicates(platform.warehouse) == {}
    assert_portal_equals_mart(platform)


def test_a_run_killed_during_ingest_is_finished_by_the_next(platform, tmp_path):
    day = DAY - timedelta(days=2)
    path = f"/resource/{CFS_SOURCE_ID}.csv"
    queue_fault(platform.source, delay_s=0.5, count=10_000, path_prefix=path)
    process = start_run(platform, day, tmp_path)
    kill_when(process, answered(platform.source, path, "GET", 3))
    finish_and_check(platform, day)


def test_a_run_killed_during_dbt_is_finished_by_the_next(platform, tmp_path):
    day = DAY - timedelta(days=1)
    clear_log(platform.public)
    process = start_run(platform, day, tmp_path)
    kill_when(process, dbt_started(tmp_path))
    assert not [e for e in logged(platform.public) if e["method"] == "POST"], "killed too late"
    finish_and_check(platform, day)


def test_a_run_killed_during_publish_is_finished_by_the_next(platform, tmp_path):
    day = DAY
    path = f"/resource/{CFS_PUBLIC_ID}.json"
    queue_fault(platform.public, delay_s=0.5, count=10_000, path_prefix=path)
    process = start_run(platform, day, tmp_path)
    kill_when(process, answered(platform.public, path, "POST", 3))
    finish_and_check(platform, day)
