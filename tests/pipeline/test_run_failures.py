"""A source that keeps failing makes a failure record in the warehouse and a webhook post."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer

import dagster as dg
import duckdb
import pytest
import requests

from orchestration.catalog import CALLS_FOR_SERVICE
from orchestration.definitions import build_definitions
from orchestration.defs.failures import FAILURES_TABLE, record_run_failures
from orchestration.socrata.resource import SocrataResource
from tests.pipeline.conftest import DAY
from tests.retries import QUICK_PORTAL_RETRIES

pytestmark = pytest.mark.integration  # builds warehouses with dbt: not in make test-fast


class Receiver(HTTPServer):
    def __init__(self) -> None:
        self.posts: list[dict] = []
        super().__init__(("127.0.0.1", 0), _Handler)


class _Handler(BaseHTTPRequestHandler):
    server: Receiver

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.server.posts.append(json.loads(body))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def receiver(monkeypatch) -> Iterator[Receiver]:
    server = Receiver()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setenv("FAILURE_WEBHOOK_URL", f"http://127.0.0.1:{server.server_port}/hook")
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def failed_run(platform):
    """The daily job while the internal portal answers 500 to every read of calls for service."""
    fault = {
        "status": 500,
        "count": 10_000,
        "path_prefix": f"/resource/{CALLS_FOR_SERVICE.internal_dataset_id}",
    }
    requests.post(f"{platform.source.url}/_portal/faults", json=fault, timeout=5)
    resources = platform.resources()
    resources["source_portal"] = SocrataResource(
        domain=f"{platform.source.host}:{platform.source.port}", max_retries=2, backoff_s=0.01
    )
    job = build_definitions(resources, portal_retry_policy=QUICK_PORTAL_RETRIES).resolve_job_def(
        "daily_publish"
    )
    result = job.execute_in_process(
        partition_key=DAY.isoformat(), instance=dg.DagsterInstance.get(), raise_on_error=False
    )
    requests.delete(f"{platform.source.url}/_portal/faults", timeout=5)
    assert not result.success
    return result


def evaluate_failure_sensor(platform, result) -> None:
    instance = dg.DagsterInstance.get()
    run = instance.get_run_by_id(result.run_id)
    failure = next(
        record.event_log_entry.dagster_event
        for record in instance.get_records_for_run(
            run_id=result.run_id, of_type=dg.DagsterEventType.RUN_FAILURE
        ).records
    )
    context = dg.build_run_status_sensor_context(
        sensor_name="record_run_failures",
        dagster_event=failure,
        dagster_instance=instance,
        dagster_run=run,
        resources=platform.definitions().resources,
    ).for_run_failure()
    record_run_failures(context)


def test_a_failing_source_is_recorded_in_the_warehouse(platform, failed_run, receiver):
    evaluate_failure_sensor(platform, failed_run)
    with duckdb.connect(str(platform.warehouse), read_only=True) as connection:
        rows = connection.execute(
            f"select job, partition, step, error from {FAILURES_TABLE} where run_id = ?",
            [failed_run.run_id],
        ).fetchall()
    assert ("daily_publish", DAY.isoformat(), "raw_calls_for_service") == rows[0][:3]
    assert "500" in rows[0][3]


def test_a_failing_source_is_posted_to_the_webhook(platform, failed_run, receiver):
    evaluate_failure_sensor(platform, failed_run)
    [post] = receiver.posts
    assert post["run_id"] == failed_run.run_id
    assert post["partition"] == DAY.isoformat()
    assert [f["step"] for f in post["failures"]] == ["raw_calls_for_service"]
