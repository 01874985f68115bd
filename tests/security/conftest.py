"""A platform run with known secrets: one daily run that publishes, one that fails (the
source answering 401 and 500), the failure sensor posting to a webhook with a secret URL,
and everything they left behind collected for the leak searches."""

from __future__ import annotations

import io
import json
import logging
import threading
from collections.abc import Iterator
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass, field
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer

import dagster as dg
import pytest
import requests

from orchestration.catalog import CALLS_FOR_SERVICE
from orchestration.definitions import build_definitions
from orchestration.defs.failures import record_run_failures
from orchestration.socrata.resource import SocrataResource
from orchestration.warehouse.resource import WarehouseResource
from tests.column_metadata_seed import seed_column_metadata
from tests.pipeline.conftest import DAY, write_sample_exports
from tests.public_datasets import seed_public_datasets
from tests.retries import QUICK_PORTAL_RETRIES
from tests.security.leaks import needles
from tooling.local_portal.server import serve_in_thread

SOURCE_USER, SOURCE_PASSWORD, SOURCE_TOKEN = "reader-q7Kd", "src-pw-Zx81vQ9", "src-tok-Lm42Hp7"
PUBLIC_USER, PUBLIC_PASSWORD, PUBLIC_TOKEN = "writer-j3Dv", "pub-pw-Rt59Wn2", "pub-tok-Kc73Sx5"
WRONG_PASSWORD = "wrong-pw-Qa11Zp4"
HOOK_SECRET = "hook-secret-Vb28Ly6"
SECRETS = needles(
    {
        "SOURCE_SOCRATA_USERNAME": SOURCE_USER,
        "SOURCE_SOCRATA_PASSWORD": SOURCE_PASSWORD,
        "SOURCE_SOCRATA_APP_TOKEN": SOURCE_TOKEN,
        "PUBLIC_SOCRATA_USERNAME": PUBLIC_USER,
        "PUBLIC_SOCRATA_PASSWORD": PUBLIC_PASSWORD,
        "PUBLIC_SOCRATA_APP_TOKEN": PUBLIC_TOKEN,
        "the wrong password of the failing run": WRONG_PASSWORD,
        "FAILURE_WEBHOOK_URL's secret": HOOK_SECRET,
    },
    users=[(SOURCE_USER, SOURCE_PASSWORD), (PUBLIC_USER, PUBLIC_PASSWORD)],
)


class Receiver(HTTPServer):
    """A webhook on loopback that keeps the bodies posted to it."""

    def __init__(self) -> None:
        self.posts: list[str] = []
        super().__init__(("127.0.0.1", 0), _Handler)


class _Handler(BaseHTTPRequestHandler):
    server: Receiver

    def do_POST(self) -> None:
        self.server.posts.append(self.rfile.read(int(self.headers["Content-Length"])).decode())
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


class Collected(logging.Handler):
    """Every Python log line of the process, formatted with its traceback."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@dataclass
class Outcome:
    instance: dg.DagsterInstance
    warehouse: str
    public_url: str
    published_run: dg.ExecuteInProcessResult
    failed_run: dg.ExecuteInProcessResult
    log_lines: list[str] = field(default_factory=list)
    console: str = ""
    webhook_posts: list[str] = field(default_factory=list)


def environment_portal(prefix: str) -> SocrataResource:
    """Configured as the definitions configure it (EnvVar), with short retries for the test."""
    return SocrataResource(
        domain=dg.EnvVar(f"{prefix}_SOCRATA_DOMAIN"),
        app_token=dg.EnvVar(f"{prefix}_SOCRATA_APP_TOKEN"),
        username=dg.EnvVar(f"{prefix}_SOCRATA_USERNAME"),
        password=dg.EnvVar(f"{prefix}_SOCRATA_PASSWORD"),
        max_retries=1,
        backoff_s=0.01,
    )


def run_daily(definitions: dg.Definitions, instance: dg.DagsterInstance):
    job = definitions.resolve_job_def("daily_publish")
    return job.execute_in_process(
        partition_key=DAY.isoformat(), instance=instance, raise_on_error=False
    )


def evaluate_failure_sensor(definitions, instance, result) -> None:
    failure = instance.get_records_for_run(
        run_id=result.run_id, of_type=dg.DagsterEventType.RUN_FAILURE
    ).records[0]
    context = dg.build_run_status_sensor_context(
        sensor_name="record_run_failures",
        dagster_event=failure.event_log_entry.dagster_event,
        dagster_instance=instance,
        dagster_run=instance.get_run_by_id(result.run_id),
        resources=definitions.resources,
    ).for_run_failure()
    record_run_failures(context)


@pytest.fixture(scope="module")
def outcome(tmp_path_factory) -> Iterator[Outcome]:
    root = tmp_path_factory.mktemp("secrets")
    write_sample_exports(root / "portal" / "internal", DAY - timedelta(days=1), DAY)
    warehouse = root / "warehouse.duckdb"
    seed_column_metadata(warehouse)
    receiver = Receiver()
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    collected, root_logger = Collected(), logging.getLogger()
    old_level = root_logger.level
    console = io.StringIO()
    with (
        pytest.MonkeyPatch.context() as env,
        serve_in_thread(
            root / "portal" / "internal",
            username=SOURCE_USER,
            password=SOURCE_PASSWORD,
            app_token=SOURCE_TOKEN,
        ) as source,
        serve_in_thread(
            root / "portal" / "public",
            username=PUBLIC_USER,
            password=PUBLIC_PASSWORD,
            app_token=PUBLIC_TOKEN,
        ) as public,
    ):
        for name, value in {
            "WAREHOUSE_PATH": str(warehouse),
            "SOURCE_SOCRATA_DOMAIN": f"{source.host}:{source.port}",
            "SOURCE_SOCRATA_APP_TOKEN": SOURCE_TOKEN,
            "SOURCE_SOCRATA_USERNAME": SOURCE_USER,
            "SOURCE_SOCRATA_PASSWORD": SOURCE_PASSWORD,
            "PUBLIC_SOCRATA_DOMAIN": f"{public.host}:{public.port}",
            "PUBLIC_SOCRATA_APP_TOKEN": PUBLIC_TOKEN,
            "PUBLIC_SOCRATA_USERNAME": PUBLIC_USER,
            "PUBLIC_SOCRATA_PASSWORD": PUBLIC_PASSWORD,
            "PUBLIC_SOCRATA_DATASET_IDS": "",
            "FAILURE_WEBHOOK_URL": (
                f"http://127.0.0.1:{receiver.server_port}/services/T0/{HOOK_SECRET}"
            ),
        }.items():
            env.setenv(name, value)
        seed_public_datasets(public.url)
        definitions = build_definitions(
            {
                "warehouse": WarehouseResource(path=dg.EnvVar("WAREHOUSE_PATH")),
                "source_portal": environment_portal("SOURCE"),
                "public_portal": environment_portal("PUBLIC"),
            },
            portal_retry_policy=QUICK_PORTAL_RETRIES,
        )
        instance = dg.DagsterInstance.get()
        root_logger.addHandler(collected)
        root_logger.setLevel(logging.DEBUG)
        try:
            with redirect_stdout(console), redirect_stderr(console):
                published = run_daily(definitions, instance)
                # The source now refuses the run's password (401) and fails calls (500).
                dataset_id = CALLS_FOR_SERVICE.internal_dataset_id
                for prefix in (f"/resource/{dataset_id}", f"/api/views/{dataset_id}"):
                    fault = {"status": 500, "count": 10_000, "path_prefix": prefix}
                    requests.post(f"{source.url}/_portal/faults", json=fault, timeout=5)
                env.setenv("SOURCE_SOCRATA_PASSWORD", WRONG_PASSWORD)
                failed = run_daily(definitions, instance)
                evaluate_failure_sensor(definitions, instance, failed)
        finally:
            root_logger.removeHandler(collected)
            root_logger.setLevel(old_level)
            receiver.shutdown()
            receiver.server_close()
        yield Outcome(
            instance=instance,
            warehouse=str(warehouse),
            public_url=public.url,
            published_run=published,
            failed_run=failed,
            log_lines=collected.lines,
            console=console.getvalue(),
            webhook_posts=[json.dumps(json.loads(post)) for post in receiver.posts],
        )
