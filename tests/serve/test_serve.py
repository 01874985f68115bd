"""`make serve` on the real thing: PostgreSQL, dagster-daemon, dagster-webserver, portals.

One `civic-embedded serve` for the module, in a temporary data folder on free ports, its
daily schedule set three minutes ahead and its change sensors looking every 30 seconds, and
the story of a few days of running it:

1. the daemon fires the schedule and its run publishes; the webserver's GraphQL shows the
   run and its asset checks;
2. a 311 request closed late at the source is found by the change sensor, whose run
   publishes it;
3. another late change's run is killed while the public portal holds its publish: Dagster
   marks it failed, the failure sensor records it, and the run re-executed from the failure
   leaves portal == mart == ledger;
4. a stop leaves no process behind, and a start keeps the run history, the sensors' cursors
   and the ledger.

Skips only where no PostgreSQL server can be found (`make test` installs Debian's when it
is missing and it can).
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import pytest
import requests

from orchestration.alerting.run_failures import FAILURES_TABLE
from orchestration.catalog import AUTOMATIC, PUBLISHED_DATASETS, SERVICE_REQUESTS_311
from orchestration.defs.schedules import daily_publish_job
from orchestration.ingest.change_detection import SourceCursor
from orchestration.partitions import CITY_TIMEZONE
from orchestration.publishing.ledger import LEDGER_TABLE
from orchestration.socrata.client import SocrataClient
from orchestration.socrata.resource import parse_dataset_ids
from orchestration.warehouse.sql import quote_identifier
from tooling.launcher.embedded import free_port
from tooling.launcher.postgres import (
    PostgresServer,
    PostgresUnavailable,
    reachable_cluster_root,
    server_binaries,
)
from tooling.launcher.public_datasets import IDS_FILE

pytestmark = [pytest.mark.integration, pytest.mark.slow]

START_TIMEOUT_S = 240
SCHEDULED_RUN_TIMEOUT_S = 600
RUN_TIMEOUT_S = 420
CHANGE_INTERVAL_S = 30
SENSOR_TRIGGER = f"{SERVICE_REQUESTS_311.name} source changes"
PUBLISH_STEP = f"socrata__{SERVICE_REQUESTS_311.published.name}"
# Long enough for the test to see the held request and kill the run behind it.
PUBLISH_HOLD_S = 60
FINISHED = ("SUCCESS", "FAILURE", "CANCELED")
DAILY_JOB = daily_publish_job.name


@dataclass
class Served:
    root: Path
    cluster_root: Path
    port: int
    pg_port: int
    source_port: int
    public_port: int
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

    def wait_for_run(self, chosen, description: str, timeout_s: float = RUN_TIMEOUT_S) -> dict:
        """The first run `chosen(run, tags)` picks once it has finished."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            for run in self.runs():
                tags = {tag["key"]: tag["value"] for tag in run["tags"]}
                if chosen(run, tags) and run["status"] in FINISHED:
                    return run
            time.sleep(3)
        raise AssertionError(f"no {description} finished:\n{self.log_tail()}")

    def settled_runs(self, timeout_s: float = RUN_TIMEOUT_S) -> list[dict]:
        """Every run, once none is queued or in progress: the hourly freshness schedule
        may launch one at any quarter past, also just before the test looks."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            runs = self.runs()
            if all(run["status"] in FINISHED for run in runs):
                return runs
            time.sleep(3)
        raise AssertionError(f"runs still in progress:\n{self.log_tail()}")

    def events(self, run_id: str) -> list[dict]:
        data = self.graphql(
            f'{{ logsForRun(runId: "{run_id}") {{ ... on EventConnection {{ events {{ '
            "__typename ... on MessageEvent { message } ... on StepEvent { stepKey } } } } }"
        )
        return data["logsForRun"]["events"]

    def sensors(self) -> dict[str, dict]:
        """Each sensor's state: its cursor and its latest ticks (with the runs they saw)."""
        data = self.graphql(
            "{ repositoriesOrError { ... on RepositoryConnection { nodes { sensors { name "
            "sensorState { typeSpecificData { ... on SensorData { lastCursor } } "
            "ticks(limit: 20) { status originRunIds } } } } } } }"
        )
        [repository] = data["repositoriesOrError"]["nodes"]
        return {sensor["name"]: sensor["sensorState"] for sensor in repository["sensors"]}

    def source(self) -> SocrataClient:
        return SocrataClient(f"127.0.0.1:{self.source_port}")

    @property
    def public_url(self) -> str:
        return f"http://127.0.0.1:{self.public_port}"

    def public_ids(self) -> dict[str, str]:
        return parse_dataset_ids((self.root / IDS_FILE).read_text())

    def published(self, dataset_name: str, **params: str) -> list[dict]:
        dataset_id = self.public_ids()[dataset_name]
        answer = requests.get(
            f"{self.public_url}/resource/{dataset_id}.json",
            params={"$limit": "50000", **params},
            timeout=60,
        )
        answer.raise_for_status()
        return answer.json()

    def warehouse(self) -> duckdb.DuckDBPyConnection:
        """A read-only look at the warehouse, once no run or sensor is writing to it."""
        deadline = time.monotonic() + 60
        while True:
            try:
                return duckdb.connect(str(self.root / "warehouse.duckdb"), read_only=True)
            except duckdb.IOException:
                if time.monotonic() > deadline:
                    raise
                time.sleep(1)


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
    with reachable_cluster_root("civic-serve-pg-") as cluster_root:
        yield from serving(root, cluster_root / "postgres")


def serving(root: Path, cluster: Path) -> Iterator[Served]:
    """`civic-embedded serve` over `root`, its cluster at `cluster`, stopped at the end."""
    port, pg_port, source_port, public_port = free_port(), free_port(), free_port(), free_port()
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
        str(source_port),
        "--public-port",
        str(public_port),
        "--pg-port",
        str(pg_port),
        "--pg-dir",
        str(cluster),
        "--publish-at",
        in_three_minutes(),
        "--no-first-run",
    ]
    env = {
        **os.environ,
        "WAREHOUSE_PATH": str(root / "warehouse.duckdb"),
        "SOURCE_CHANGE_INTERVAL_S": str(CHANGE_INTERVAL_S),
    }
    env.pop("DAGSTER_HOME", None)
    running = Served(root, cluster, port, pg_port, source_port, public_port, command, env)
    running.start()
    try:
        yield running
    finally:
        if running.process is not None and running.process.poll() is None:
            running.stop()


@pytest.fixture(scope="module")
def scheduled_run(served: Served) -> dict:
    return served.wait_for_run(
        # The hourly freshness schedule may fire first; its run is not the day's.
        lambda run, tags: "dagster/schedule_name" in tags and run["jobName"] == DAILY_JOB,
        "scheduled daily run (the daemon started none)",
        timeout_s=SCHEDULED_RUN_TIMEOUT_S,
    )


def close_late(served: Served, published_request: dict) -> str:
    """Close a pending 311 request at the source, as the city's system does days later;
    returns its service request number."""
    number = published_request["service_request"]
    with served.source() as source:
        [row] = source.get(
            SERVICE_REQUESTS_311.internal_dataset_id,
            select=":id, date_created",
            where=f"service_request = '{number}'",
        )
        # An hour after it was opened: closed before it was opened would be a defect of its own.
        opened = datetime.fromisoformat(str(row["date_created"]))
        closed_at = (opened + timedelta(hours=1)).isoformat(timespec="milliseconds")
        source.upsert(
            SERVICE_REQUESTS_311.internal_dataset_id,
            [
                {
                    ":id": row[":id"],
                    "request_status": "Closed",
                    "case_close_date": closed_at,
                    "date_modified": closed_at,
                }
            ],
        )
    return number


def pending_requests(served: Served) -> list[dict]:
    return served.published(
        SERVICE_REQUESTS_311.published.name,
        request_status="Pending",
        **{"$order": "service_request"},
    )


@pytest.fixture(scope="module")
def sensor_run(served: Served, scheduled_run: dict) -> tuple[dict, str]:
    """A request closed late at the source, and the run the change sensor requested."""
    known = {run["runId"] for run in served.runs()}
    closed = close_late(served, pending_requests(served)[0])
    run = served.wait_for_run(
        lambda run, tags: tags.get("civic/trigger") == SENSOR_TRIGGER and run["runId"] not in known,
        "run of the 311 change sensor",
    )
    return run, closed


def step_in_progress(events: list[dict]) -> str | None:
    started = [e["stepKey"] for e in events if e["__typename"] == "ExecutionStepStartEvent"]
    ended = {
        e["stepKey"]
        for e in events
        if e["__typename"] in ("ExecutionStepSuccessEvent", "ExecutionStepFailureEvent")
    }
    running = [step for step in started if step not in ended]
    return running[-1] if running else None


def run_process_id(events: list[dict]) -> int:
    for event in events:
        found = re.search(r"Started process for run \(pid: (\d+)\)", event.get("message") or "")
        if found:
            return int(found.group(1))
    raise AssertionError(f"no run process in {events}")


@pytest.fixture(scope="module")
def killed_run(served: Served, sensor_run: tuple[dict, str]) -> dict:
    """A second late change whose run is SIGKILLed while the portal holds its publish."""
    dataset_id = served.public_ids()[SERVICE_REQUESTS_311.published.name]
    faults = f"{served.public_url}/_portal/faults"
    hold = {"delay_s": PUBLISH_HOLD_S, "path_prefix": f"/resource/{dataset_id}", "count": 1}
    pending = pending_requests(served)[0]  # read before the hold, which takes any request
    requests.post(faults, json=hold, timeout=5).raise_for_status()
    known = {run["runId"] for run in served.runs()}
    close_late(served, pending)
    deadline = time.monotonic() + RUN_TIMEOUT_S
    while requests.get(faults, timeout=5).json():  # the held request has not come yet
        assert time.monotonic() < deadline, served.log_tail()
        time.sleep(0.5)
    [run] = [
        r
        for r in served.runs()
        if r["runId"] not in known
        and r["status"] == "STARTED"
        and {"key": "civic/trigger", "value": SENSOR_TRIGGER} in r["tags"]
    ]
    events = served.events(run["runId"])
    assert step_in_progress(events) == PUBLISH_STEP, events
    os.kill(run_process_id(events), signal.SIGKILL)
    return served.wait_for_run(lambda r, tags: r["runId"] == run["runId"], "killed run")


@pytest.fixture(scope="module")
def recovered_run(served: Served, killed_run: dict) -> dict:
    """The killed run re-executed from its failure, as an engineer does from the UI."""
    data = served.graphql(
        "mutation { launchRunReexecution(reexecutionParams: "
        f'{{parentRunId: "{killed_run["runId"]}", strategy: FROM_FAILURE}}) {{ __typename '
        "... on LaunchRunSuccess { run { runId } } ... on PythonError { message } } }"
    )
    launched = data["launchRunReexecution"]
    assert launched["__typename"] == "LaunchRunSuccess", launched
    run_id = launched["run"]["runId"]
    return served.wait_for_run(lambda run, tags: run["runId"] == run_id, "re-executed run")


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


def test_a_request_closed_late_at_the_source_is_found_by_the_sensor_and_published(
    served, sensor_run
):
    run, closed = sensor_run
    assert run["status"] == "SUCCESS", served.log_tail()
    [published] = served.published(SERVICE_REQUESTS_311.published.name, service_request=closed)
    assert published["request_status"] == "Closed"


def test_a_run_killed_mid_publish_is_marked_failed(served, killed_run):
    assert killed_run["status"] == "FAILURE"
    messages = [event.get("message") or "" for event in served.events(killed_run["runId"])]
    assert any("terminated by signal 9 (SIGKILL)" in message for message in messages), messages


def test_the_failure_sensor_records_the_killed_run(served, killed_run):
    deadline = time.monotonic() + RUN_TIMEOUT_S
    while time.monotonic() < deadline:
        ticks = served.sensors()["record_run_failures"]["ticks"]
        if any(killed_run["runId"] in tick["originRunIds"] for tick in ticks):
            break
        time.sleep(3)
    else:
        raise AssertionError(f"the failure sensor never saw the run:\n{served.log_tail()}")
    with served.warehouse() as warehouse:
        recorded = warehouse.execute(
            f"select count(*) from {FAILURES_TABLE} where run_id = ?", [killed_run["runId"]]
        ).fetchone()[0]
    assert recorded == 1


def test_the_run_re_executed_after_the_kill_leaves_portal_mart_and_ledger_equal(
    served, recovered_run
):
    assert recovered_run["status"] == "SUCCESS", served.log_tail()
    public_ids = served.public_ids()
    for dataset in PUBLISHED_DATASETS:
        key = dataset.row_identifier
        on_portal = [str(row[key]) for row in served.published(dataset.name)]
        with served.warehouse() as warehouse:
            mart = warehouse.execute(
                f"select {quote_identifier(key)} from {dataset.mart_table}"
            ).fetchall()
            ledger = warehouse.execute(
                f"select row_id from {LEDGER_TABLE} where dataset_id = ?",
                [public_ids[dataset.name]],
            ).fetchall()
        assert len(on_portal) == len(set(on_portal)), dataset.name
        assert sorted(str(r[0]) for r in ledger) == sorted(on_portal), dataset.name
        mart_keys = sorted(str(r[0]) for r in mart)
        if dataset.release.mode == AUTOMATIC:
            assert sorted(on_portal) == mart_keys, dataset.name
        else:  # rows still settling are held back, never published unasked
            assert set(on_portal) <= set(mart_keys), dataset.name


def test_a_stop_leaves_nothing_running_and_a_start_keeps_history_cursors_and_ledger(
    served, scheduled_run, recovered_run
):
    before = {run["runId"] for run in served.runs()}
    cursors = {
        name: state["typeSpecificData"]["lastCursor"]
        for name, state in served.sensors().items()
        if name.endswith("_source_changes")
    }
    with served.warehouse() as warehouse:
        ledger = warehouse.execute(f"select count(*) from {LEDGER_TABLE}").fetchone()[0]
    assert served.stop() == 0, served.log_tail()
    assert not PostgresServer(served.cluster_root, served.pg_port).is_running()
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{served.url}/server_info", timeout=5)
    served.start()
    assert {run["runId"] for run in served.runs()} >= before | {scheduled_run["runId"]}
    watermarks = {name: SourceCursor.from_json(text).watermark for name, text in cursors.items()}
    assert all(watermarks.values()), cursors
    after = served.sensors()
    for name, watermark in watermarks.items():
        # A look after the start may move a watermark on; it never starts it over.
        cursor = SourceCursor.from_json(after[name]["typeSpecificData"]["lastCursor"])
        assert cursor.watermark is not None and cursor.watermark >= watermark, name
    with served.warehouse() as warehouse:
        assert warehouse.execute(f"select count(*) from {LEDGER_TABLE}").fetchone()[0] == ledger


def test_every_run_but_the_killed_one_succeeded(served, killed_run, recovered_run):
    """Nothing else failed on the way: no sensor asked for a day the schedule had not
    brought yet (its run would lack the rule tables), no run fought another for the lock."""
    failed = [
        run["runId"]
        for run in served.settled_runs()
        if run["status"] != "SUCCESS" and run["runId"] != killed_run["runId"]
    ]
    assert not failed, served.log_tail()
