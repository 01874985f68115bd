"""The stakeholders' read-only UI shows the lineage and refuses every change.

Starts `civic-embedded lineage-ui` (what `make lineage-ui` runs) on a free loopback port with
a throwaway Dagster home, and talks to its GraphQL API the way the UI's own pages do: the
asset graph and its checks are readable, launching a run and wiping an asset are refused.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tooling.launcher.embedded import LOOPBACK, free_port

pytestmark = pytest.mark.integration  # builds warehouses with dbt: not in make test-fast

REPO_ROOT = Path(__file__).resolve().parents[2]
STARTUP_TIMEOUT_S = 120  # the code location imports dbt and pandas; a 2-core machine is slow

ASSET_GRAPH = """
{ assetNodes { assetKey { path } dependencyKeys { path } hasAssetChecks } }
"""
MART_CHECKS = """
{ assetNodeOrError(assetKey: {path: ["calls_for_service"]}) {
    __typename
    ... on AssetNode { assetChecksOrError { __typename ... on AssetChecks { checks { name } } } }
} }
"""
LAUNCH_RUN = """
mutation Launch($params: ExecutionParams!) {
  launchPipelineExecution(executionParams: $params) {
    __typename
    ... on UnauthorizedError { message }
    ... on LaunchRunSuccess { run { runId } }
    ... on PythonError { message }
  }
}
"""
WIPE_ASSET = """
mutation Wipe($ranges: [PartitionsByAssetSelector!]!) {
  wipeAssets(assetPartitionRanges: $ranges) {
    __typename
    ... on UnauthorizedError { message }
    ... on AssetWipeSuccess { assetPartitionRanges { assetKey { path } } }
    ... on PythonError { message }
  }
}
"""
RUNS = "{ runsOrError { __typename ... on Runs { results { runId } } } }"


def _graphql(url: str, query: str, variables: dict | None = None) -> dict:
    answer = requests.post(url, json={"query": query, "variables": variables or {}}, timeout=60)
    answer.raise_for_status()
    body = answer.json()
    assert "errors" not in body, body["errors"]
    return body["data"]


def _wait_until_loaded(url: str, process: subprocess.Popen, log: Path) -> None:
    """Until the webserver answers and the code location has loaded (or failed to)."""
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    query = "{ workspaceOrError { ... on Workspace { locationEntries { loadStatus } } } }"
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"lineage-ui exited with {process.returncode}:\n{log.read_text()}")
        try:
            entries = _graphql(url, query)["workspaceOrError"]["locationEntries"]
            if entries and all(entry["loadStatus"] == "LOADED" for entry in entries):
                return
        except (requests.RequestException, ValueError, KeyError):
            pass
        time.sleep(1)
    raise TimeoutError(f"lineage-ui did not load within {STARTUP_TIMEOUT_S} s:\n{log.read_text()}")


@pytest.fixture(scope="module")
def read_only_graphql(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("lineage_ui")
    home = root / "dagster_home"
    home.mkdir()
    (home / "dagster.yaml").write_text((REPO_ROOT / "deploy" / "dagster.yaml").read_text())
    env = {
        **os.environ,
        "DAGSTER_HOME": str(home),
        "WAREHOUSE_PATH": str(root / "warehouse.duckdb"),
        "DO_NOT_TRACK": "1",
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "SODA_CORE_TELEMETRY_ENABLED": "false",
    }
    port = free_port()
    log = root / "lineage_ui.log"
    command = [
        str(Path(sys.executable).with_name("civic-embedded")),
        "--data-dir",
        str(root / "data"),
        "lineage-ui",
        "--port",
        str(port),
    ]
    with log.open("wb") as output:
        # Its own process group (so the finalizer can reach the webserver and its code
        # server), default signal handling (a non-interactive shell leaves SIGINT ignored).
        process = subprocess.Popen(
            command,
            cwd=root,  # the command finds workspace.yaml on its own
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
        )
    url = f"http://{LOOPBACK}:{port}/graphql"
    try:
        _wait_until_loaded(url, process, log)
        yield url
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=45)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def test_the_asset_graph_and_its_checks_are_readable(read_only_graphql: str) -> None:
    nodes = {
        tuple(node["assetKey"]["path"]): node
        for node in _graphql(read_only_graphql, ASSET_GRAPH)["assetNodes"]
    }

    assert ("calls_for_service",) in nodes
    published = nodes[("socrata", "calls_for_service")]
    assert ["calls_for_service"] in [key["path"] for key in published["dependencyKeys"]]
    assert nodes[("calls_for_service",)]["hasAssetChecks"]
    mart = _graphql(read_only_graphql, MART_CHECKS)["assetNodeOrError"]
    checks = {check["name"] for check in mart["assetChecksOrError"]["checks"]}
    assert "nopd_item_duplicate" in checks


def test_launching_a_run_is_refused(read_only_graphql: str) -> None:
    params = {
        "selector": {
            "repositoryLocationName": "definitions.py",
            "repositoryName": "__repository__",
            "jobName": "daily_publish",
        },
        "executionMetadata": {"tags": [{"key": "dagster/partition", "value": "2026-01-01"}]},
    }

    answer = _graphql(read_only_graphql, LAUNCH_RUN, {"params": params})

    assert answer["launchPipelineExecution"] == {
        "__typename": "UnauthorizedError",
        "message": "Authorization failed",
    }
    assert _graphql(read_only_graphql, RUNS)["runsOrError"] == {
        "__typename": "Runs",
        "results": [],
    }


def test_wiping_an_asset_is_refused(read_only_graphql: str) -> None:
    ranges = [{"assetKey": {"path": ["calls_for_service"]}}]

    answer = _graphql(read_only_graphql, WIPE_ASSET, {"ranges": ranges})

    assert answer["wipeAssets"] == {
        "__typename": "UnauthorizedError",
        "message": "Authorization failed",
    }
