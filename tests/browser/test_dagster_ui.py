"""The Dagster UI in a real browser: every asset and check on the page, a run launched from it.

Starts what `make dev` starts, in a temporary directory: a two-day generated sample, the
internal and public local portals, and `dagster dev` on a free loopback port. Then, the way
an engineer would: the UI's GraphQL API lists the asset graph and launches `daily_publish`
for a day, which dagster dev's daemon runs to success; headless Chromium opens the asset
catalog (every asset key), each asset's Checks tab (every check) and the asset graph, of
which it saves a screenshot. `UPDATE_SCREENSHOTS=1` also copies it to
docs/images/asset-graph.png.

Skips when no Chromium is installed (Debian: `apt-get install chromium`).
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from html import escape
from pathlib import Path
from urllib.parse import quote

import pytest
import requests

from tests.public_datasets import seed_public_datasets
from tooling.generator.samples import write_samples
from tooling.launcher.embedded import (
    LOOPBACK,
    PUBLISHER_USERNAME,
    RunningPortal,
    dagster_dev_command,
    dagster_environment,
    free_port,
    portal_environment,
    yesterday_in_city,
)
from tooling.local_portal.server import serve_in_thread

REPO_ROOT = Path(__file__).resolve().parents[2]
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
CHROMIUM = next(filter(None, map(shutil.which, CHROMIUM_NAMES)), None)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        CHROMIUM is None,
        reason="no chromium, chromium-browser or google-chrome on PATH "
        "(Debian: apt-get install chromium)",
    ),
]

STARTUP_TIMEOUT_S = 180  # dagster dev, its daemon and a code location importing dbt, 2 cores
RUN_TIMEOUT_S = 600
BROWSER_TIMEOUT_S = 120
SCREENSHOT = Path("docs") / "images" / "asset-graph.png"
SCREENSHOT_WINDOW = (1920, 1080)
# The screenshot shows the lineage of the published calls for service, groups expanded:
# the whole graph has seven groups, which the page shows collapsed.
SCREENSHOT_ASSET = ("socrata", "calls_for_service")
COMMUNITY_MODAL = "Join the Dagster community"

ASSET_GRAPH = """
{ assetNodes {
    assetKey { path }
    groupName
    dependencyKeys { path }
    assetChecksOrError { __typename ... on AssetChecks { checks { name } } }
} }
"""
REPOSITORIES = """
{ repositoriesOrError { __typename ... on RepositoryConnection {
    nodes { name location { name } jobs { name } }
} } }
"""
LOCATIONS = """
{ workspaceOrError { ... on Workspace { locationEntries {
    name loadStatus
    locationOrLoadError { __typename ... on PythonError { message } }
} } } }
"""
LAUNCH_RUN = """
mutation Launch($params: ExecutionParams!) {
  launchPipelineExecution(executionParams: $params) {
    __typename
    ... on LaunchRunSuccess { run { runId } }
    ... on PythonError { message }
    ... on InvalidSubsetError { message }
    ... on RunConfigValidationInvalid { errors { message } }
  }
}
"""
RUN = """
query Run($runId: ID!) { runOrError(runId: $runId) { __typename
    ... on Run { status stepStats { stepKey status } }
} }
"""
MATERIALIZATIONS = """
query Materializations($key: AssetKeyInput!, $partition: String!) {
  assetOrError(assetKey: $key) { __typename
    ... on Asset { assetMaterializations(partitions: [$partition], limit: 1) { runId } }
  }
}
"""
TERMINAL_STATUSES = {"SUCCESS", "FAILURE", "CANCELED"}


@dataclass(frozen=True)
class DagsterUI:
    base_url: str
    log: Path
    browser_profile: Path
    day: date

    @property
    def graphql_url(self) -> str:
        return f"{self.base_url}/graphql"


def graphql(ui: DagsterUI, query: str, variables: dict | None = None) -> dict:
    answer = requests.post(
        ui.graphql_url, json={"query": query, "variables": variables or {}}, timeout=60
    )
    answer.raise_for_status()
    body = answer.json()
    assert "errors" not in body, body["errors"]
    return body["data"]


def log_tail(log: Path, lines: int = 60) -> str:
    return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])


def _default_signals() -> None:
    """Started from a non-interactive shell, dagster dev would ignore SIGINT and SIGTERM."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _wait_until_loaded(ui: DagsterUI, process: subprocess.Popen) -> None:
    """Until the webserver answers and the code location has loaded; fail fast if it broke."""
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"dagster dev exited with {process.returncode}:\n{log_tail(ui.log)}")
        try:
            entries = graphql(ui, LOCATIONS)["workspaceOrError"]["locationEntries"]
        except (requests.RequestException, ValueError, KeyError, AssertionError):
            entries = []
        if entries and all(entry["loadStatus"] == "LOADED" for entry in entries):
            errors = [
                entry["locationOrLoadError"]["message"]
                for entry in entries
                if entry["locationOrLoadError"]["__typename"] == "PythonError"
            ]
            assert not errors, "\n".join(errors)
            return
        time.sleep(1)
    pytest.fail(f"dagster dev did not load within {STARTUP_TIMEOUT_S} s:\n{log_tail(ui.log)}")


def _stop_process_group(process: subprocess.Popen) -> None:
    """SIGTERM to dagster dev's group (webserver, daemon, code server, run workers)."""
    group = process.pid  # its own session: the group id is its pid
    try:
        os.killpg(group, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(group, signal.SIGKILL)
        process.wait()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            os.killpg(group, 0)
        except ProcessLookupError:
            return  # nothing of it is left
        time.sleep(0.5)
    os.killpg(group, signal.SIGKILL)


@contextmanager
def running_dagster_ui(root: Path, extra_env: dict[str, str] | None = None) -> Iterator[DagsterUI]:
    """`dagster dev` on a free loopback port with the two local portals, in `root`, the
    environment of `make dev` with `extra_env` on top."""
    day = yesterday_in_city()
    write_samples(
        root / "portal" / "internal",
        day - timedelta(days=1),
        day,
        seed=7,
        scale=0.25,
        scales={"use_of_force": 4, "service_requests_311": 1},
    )
    with pytest.MonkeyPatch.context() as monkeypatch:
        # A Dagster home and a warehouse of this root's own, whatever the session set.
        monkeypatch.delenv("DAGSTER_HOME", raising=False)
        monkeypatch.delenv("WAREHOUSE_PATH", raising=False)
        env = dagster_environment(root)
    env.update(extra_env or {})
    password = "browser-test-password"
    log = root / "dagster_dev.log"
    port = free_port()
    ui = DagsterUI(f"http://{LOOPBACK}:{port}", log, root / "chromium_profile", day)
    with (
        serve_in_thread(root / "portal" / "internal", host=LOOPBACK) as source,
        serve_in_thread(
            root / "portal" / "public",
            host=LOOPBACK,
            username=PUBLISHER_USERNAME,
            password=password,
        ) as public,
    ):
        source_portal = RunningPortal(root / "portal" / "internal", source.port)
        public_portal = RunningPortal(
            root / "portal" / "public", public.port, PUBLISHER_USERNAME, password
        )
        env.update(portal_environment(source_portal, public_portal))
        seed_public_datasets(public.url)
        command = dagster_dev_command(port)
        with log.open("wb") as output:
            process = subprocess.Popen(
                command,
                cwd=REPO_ROOT,
                env=env,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                preexec_fn=_default_signals,
            )
        try:
            _wait_until_loaded(ui, process)
            yield ui
        finally:
            _stop_process_group(process)


@pytest.fixture(scope="module")
def ui(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DagsterUI]:
    """`dagster dev` on a free loopback port with the two local portals, in a temporary root."""
    with running_dagster_ui(tmp_path_factory.mktemp("dagster_ui")) as running:
        yield running


def chromium(
    ui: DagsterUI,
    url: str,
    window: tuple[int, int],
    budget_ms: int,
    screenshot: Path | None = None,
) -> str:
    """Headless Chromium on `url`: the DOM once the page settled, or a screenshot of it.

    `--virtual-time-budget` lets the page's scripts run that long in virtual time, which
    stands still while a request is pending: the UI's GraphQL answers are in when it ends.
    """
    assert CHROMIUM is not None
    command = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",  # CI containers run as root
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--hide-scrollbars",
        "--no-first-run",
        "--no-default-browser-check",
        "--no-proxy-server",
        # Nothing but the page: no update checks, metrics, sync or other calls home.
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-breakpad",
        "--disable-domain-reliability",
        "--no-pings",
        f"--user-data-dir={ui.browser_profile}",
        f"--window-size={window[0]},{window[1]}",
        f"--virtual-time-budget={budget_ms}",
        f"--screenshot={screenshot}" if screenshot else "--dump-dom",
        url,
    ]
    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,  # the launcher is a shell script: reach the browser too
    )
    try:
        stdout, stderr = process.communicate(timeout=BROWSER_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        pytest.fail(f"chromium did not finish {url} within {BROWSER_TIMEOUT_S} s")
    assert process.returncode == 0, stderr.decode(errors="replace")[-3000:]
    return stdout.decode(errors="replace")


def settled_dom(
    ui: DagsterUI, url: str, window: tuple[int, int], complete: Callable[[str], bool]
) -> str:
    """The DOM of `url` once `complete` holds, trying longer budgets; the last one if never."""
    for budget_ms in (10_000, 20_000, 40_000):
        dom = chromium(ui, url, window, budget_ms)
        if complete(dom):
            break
        print(f"{url}: not complete after {budget_ms} ms of virtual time, trying longer")
    return dom


def page_missing(
    ui: DagsterUI, url: str, window: tuple[int, int], expected: dict[str, str]
) -> list[str]:
    """The names of `expected` (name -> HTML marker) whose marker the page's DOM lacks."""

    def missing(dom: str) -> list[str]:
        return [name for name, marker in expected.items() if marker not in dom]

    return missing(settled_dom(ui, url, window, lambda dom: not missing(dom)))


def asset_graph(ui: DagsterUI) -> dict[tuple[str, ...], dict]:
    return {
        tuple(node["assetKey"]["path"]): node for node in graphql(ui, ASSET_GRAPH)["assetNodes"]
    }


def asset_url(ui: DagsterUI, key: tuple[str, ...]) -> str:
    return f"{ui.base_url}/assets/" + "/".join(quote(part, safe="") for part in key)


def upstream_of(nodes: dict[tuple[str, ...], dict], key: tuple[str, ...]) -> set[tuple[str, ...]]:
    """The key and every asset it depends on, directly or not."""
    seen, todo = set(), [key]
    while todo:
        current = todo.pop()
        if current not in seen:
            seen.add(current)
            todo += [tuple(dep["path"]) for dep in nodes[current]["dependencyKeys"]]
    return seen


def label_shows(label: str, name: str) -> bool:
    """A graph node's label is the name, or the name with its middle cut out at small zoom."""
    if "…" not in label:
        return label == name
    head, tail = label.split("…", 1)
    return len(head) + len(tail) < len(name) and name.startswith(head) and name.endswith(tail)


def finished_run(ui: DagsterUI, run_id: str) -> dict:
    """The run once it ended (or as it is after RUN_TIMEOUT_S)."""
    deadline = time.monotonic() + RUN_TIMEOUT_S
    run = graphql(ui, RUN, {"runId": run_id})["runOrError"]
    while run["status"] not in TERMINAL_STATUSES and time.monotonic() < deadline:
        time.sleep(3)
        run = graphql(ui, RUN, {"runId": run_id})["runOrError"]
    return run


def test_every_asset_of_the_graph_is_in_the_catalog(ui: DagsterUI) -> None:
    keys = list(asset_graph(ui))
    assert SCREENSHOT_ASSET in keys, keys
    # The catalog lists 64-pixel rows and renders only those in view: a tall enough window.
    window = (1600, 800 + 64 * (len(keys) + 5))
    expected = {
        "/".join(key): 'href="/assets/{}"'.format("/".join(quote(part, safe="") for part in key))
        for key in keys
    }

    missing = page_missing(ui, f"{ui.base_url}/assets", window, expected)

    assert not missing, f"assets missing from the catalog page: {missing}"


def test_every_check_is_on_its_assets_checks_tab(ui: DagsterUI) -> None:
    nodes = asset_graph(ui)
    checks_by_asset = {}
    for key, node in nodes.items():
        checks = node["assetChecksOrError"]
        assert checks["__typename"] == "AssetChecks", (key, checks)
        if checks["checks"]:
            checks_by_asset[key] = [check["name"] for check in checks["checks"]]
    mart_checks = checks_by_asset.get(("calls_for_service",), [])
    assert "nopd_item_duplicate" in mart_checks, mart_checks  # a contract check is among them

    missing = {}
    for key, names in checks_by_asset.items():
        window = (1600, 800 + 64 * (len(names) + 5))  # a virtualized list too, of 48-pixel rows
        expected = {name: f'title="{escape(name)}"' for name in names}
        absent = page_missing(ui, f"{asset_url(ui, key)}?view=checks", window, expected)
        if absent:
            missing["/".join(key)] = absent

    assert not missing, f"checks missing from their asset's Checks tab: {missing}"


def test_a_materialization_launched_through_the_ui_api_finishes(ui: DagsterUI) -> None:
    repositories = graphql(ui, REPOSITORIES)["repositoriesOrError"]["nodes"]
    [repository] = [
        repo for repo in repositories if "daily_publish" in [job["name"] for job in repo["jobs"]]
    ]
    params = {
        "selector": {
            "repositoryLocationName": repository["location"]["name"],
            "repositoryName": repository["name"],
            "jobName": "daily_publish",
        },
        "mode": "default",
        "runConfigData": "{}",
        "executionMetadata": {
            "tags": [{"key": "dagster/partition", "value": ui.day.isoformat()}],
        },
    }

    launched = graphql(ui, LAUNCH_RUN, {"params": params})["launchPipelineExecution"]

    assert launched["__typename"] == "LaunchRunSuccess", launched
    run_id = launched["run"]["runId"]
    run = finished_run(ui, run_id)
    failed_steps = [step["stepKey"] for step in run["stepStats"] if step["status"] != "SUCCESS"]
    assert run["status"] == "SUCCESS", (
        f"run {run_id} is {run['status']} after at most {RUN_TIMEOUT_S} s; "
        f"steps not succeeded: {failed_steps}\n{log_tail(ui.log)}"
    )
    published = graphql(
        ui,
        MATERIALIZATIONS,
        {"key": {"path": list(SCREENSHOT_ASSET)}, "partition": ui.day.isoformat()},
    )["assetOrError"]
    assert published["assetMaterializations"] == [{"runId": run_id}]


def test_the_asset_graph_page_shows_the_lineage_and_is_screenshotted(ui: DagsterUI) -> None:
    nodes = asset_graph(ui)
    shown = upstream_of(nodes, SCREENSHOT_ASSET)
    groups = sorted({nodes[key]["groupName"] for key in shown})
    selection = '+key:"{}"'.format("/".join(SCREENSHOT_ASSET))  # the asset and all upstream
    expanded = ",".join(f"global@global:{group}" for group in groups)
    url = (
        f"{ui.base_url}/asset-groups~{quote(selection, safe='')}"
        f"?expanded={quote(expanded, safe='')}"
    )
    screenshot = ui.log.parent / "asset-graph.png"

    def node_labels(dom: str) -> list[str]:
        return re.findall(r'class="AssetNode_assetName[^"]*"[^>]*>([^<]*)<', dom)

    dom = settled_dom(ui, url, SCREENSHOT_WINDOW, lambda dom: len(node_labels(dom)) == len(shown))
    chromium(ui, url, SCREENSHOT_WINDOW, budget_ms=20_000, screenshot=screenshot)

    assert COMMUNITY_MODAL not in dom  # deploy/dagster.yaml turns the modal off
    labels = node_labels(dom)
    names = [key[-1] for key in shown]
    assert len(labels) == len(shown), (labels, sorted(shown))
    assert all(any(label_shows(label, name) for name in names) for label in labels), labels
    assert all(any(label_shows(label, name) for label in labels) for name in names), labels
    png = screenshot.read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    size = (int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big"))
    assert size == SCREENSHOT_WINDOW
    if os.environ.get("UPDATE_SCREENSHOTS") == "1":
        shutil.copyfile(screenshot, REPO_ROOT / SCREENSHOT)
