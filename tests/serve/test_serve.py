"""`make serve` on the real thing: PostgreSQL, dagster-daemon, dagster-webserver, portals.

One `civic-embedded serve` for the module, in a temporary data folder on free ports, its
daily schedule set three minutes ahead: the daemon must fire it and its run publish, the
webserver's GraphQL must show the run and its asset checks, and a stop and a start must keep
the run history in PostgreSQL and leave no process behind. Skips only where no PostgreSQL
server can be found (`make test` installs Debian's when it is missing and it can).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import requests

from orchestration.partitions import CITY_TIMEZONE
from tooling.launcher.embedded import free_port
from tooling.launcher.postgres import PostgresServer, PostgresUnavailable, server_binaries

pytestmark = [pytest.mark.integration, pytest.mark.slow]

START_TIMEOUT_S = 240
SCHEDULED_RUN_TIMEOUT_S = 600


@dataclass
class Served:
    root: Path
    cluster_root: Path
    port: int
    pg_port: int
    command: list[str]
    env: dict[str, str]
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        log = open(self.root / "serve.log", "ab")  # noqa: SIM115 - the process writes it
        self.process = subprocess.Popen(
            self.command, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.log_tail()
            try:
                if requests.get(f"{self.url}/server_info", timeout=5).ok:
                    return
            except requests.ConnectionError:
                pass
            time.sleep(2)
        raise AssertionError(f"make serve did not come up:\n{self.log_tail()}")

    def stop(self) -> int:
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=180)

    def log_tail(self, lines: int = 40) -> str:
        text = (self.root / "serve.log").read_text(errors="replace")
        return "\n".join(text.splitlines()[-lines:])

    def graphql(self, query: str) -> dict:
        response = requests.post(f"{self.url}/graphql", json={"query": query}, timeout=60)
        response.raise_for_status()
        body = response.json()
        assert "errors" not in body, body["errors"]
        return body["data"]

    def runs(self) -> list[dict]:
        data = self.graphql(
            "{ runsOrError { ... on Runs { results { runId status jobName "
            "tags { key value } } } } }"
        )
        return data["runsOrError"]["results"]


def in_three_minutes() -> str:
    """The city time three minutes from now, HH:MM: the schedule's next tick, after the
    daemon has started even on a busy machine."""
    soon = datetime.now(ZoneInfo(CITY_TIMEZONE)) + timedelta(minutes=3)
    return f"{soon.hour:02}:{soon.minute:02}"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    try:
        server_binaries()
    except PostgresUnavailable as missing:
        pytest.skip(str(missing))
    root = tmp_path_factory.mktemp("serve")
    # As root, the cluster belongs to the `postgres` account, which cannot enter pytest's
    # private temporary folders: the cluster gets a folder it can reach.
    cluster_root = Path(tempfile.mkdtemp(prefix="civic-serve-pg-"))
    cluster_root.chmod(0o711)
    port, pg_port = free_port(), free_port()
    command = [
        str(Path(sys.executable).with_name("civic-embedded")),
        "--data-dir",
        str(root),
        "--days",
        "3",
        "--scale",
        "0.2",
        "serve",
        "--port",
        str(port),
        "--source-port",
        str(free_port()),
        "--public-port",
        str(free_port()),
        "--pg-port",
        str(pg_port),
        "--pg-dir",
        str(cluster_root / "postgres"),
        "--publish-at",
        in_three_minutes(),
        "--no-first-run",
    ]
    env = {**os.environ, "WAREHOUSE_PATH": str(root / "warehouse.duckdb")}
    env.pop("DAGSTER_HOME", None)
    running = Served(root, cluster_root / "postgres", port, pg_port, command, env)
    running.start()
    try:
        yield running
    finally:
        if running.process is not None and running.process.poll() is None:
            running.stop()
        shutil.rmtree(cluster_root, ignore_errors=True)


@pytest.fixture(scope="module")
def scheduled_run(served: Served) -> dict:
    deadline = time.monotonic() + SCHEDULED_RUN_TIMEOUT_S
    while time.monotonic() < deadline:
        for run in served.runs():
            tags = {tag["key"]: tag["value"] for tag in run["tags"]}
            if "dagster/schedule_name" in tags and run["status"] in ("SUCCESS", "FAILURE"):
                return run
        time.sleep(5)
    raise AssertionError(f"the daemon started no scheduled run:\n{served.log_tail()}")


def test_the_daemon_fires_the_daily_schedule_and_its_run_publishes(served, scheduled_run):
    assert scheduled_run["status"] == "SUCCESS", served.log_tail()
    data = served.graphql(
        '{ assetOrError(assetKey: {path: ["socrata", "service_requests_311"]}) { ... on Asset { '
        "assetMaterializations(limit: 1) { runId metadataEntries { label "
        "... on IntMetadataEntry { intValue } } } } } }"
    )
    [materialization] = data["assetOrError"]["assetMaterializations"]
    assert materialization["runId"] == scheduled_run["runId"]
    sent = {e["label"]: e.get("intValue") for e in materialization["metadataEntries"]}
    assert sent["rows_sent"] > 0


def test_the_webserver_shows_the_runs_asset_checks(served, scheduled_run):
    data = served.graphql(
        '{ assetNodeOrError(assetKey: {path: ["service_requests_311"]}) { ... on AssetNode { '
        "assetChecksOrError { ... on AssetChecks { checks { name "
        "executionForLatestMaterialization { runId status } } } } } } }"
    )
    checks = data["assetNodeOrError"]["assetChecksOrError"]["checks"]
    executed = {
        check["name"]: check["executionForLatestMaterialization"]["status"]
        for check in checks
        if check["executionForLatestMaterialization"]
        and check["executionForLatestMaterialization"]["runId"] == scheduled_run["runId"]
    }
    assert executed, checks
    assert set(executed.values()) == {"SUCCEEDED"}, executed


def test_a_stop_leaves_nothing_running_and_a_start_keeps_the_run_history(served, scheduled_run):
    before = {run["runId"] for run in served.runs()}
    assert served.stop() == 0, served.log_tail()
    assert not PostgresServer(served.cluster_root, served.pg_port).is_running()
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{served.url}/server_info", timeout=5)
    served.start()
    assert {run["runId"] for run in served.runs()} >= before | {scheduled_run["runId"]}
