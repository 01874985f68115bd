"""The explicit publishing jobs: the dry run, the deliberate full refresh (behind the
mart's contract), provisioning and the preflight."""

from __future__ import annotations

from datetime import timedelta

import dagster as dg
import duckdb
import pytest
import requests

from orchestration.catalog import CALLS_FOR_SERVICE, PUBLISHED_DATASETS, USE_OF_FORCE
from orchestration.publishing.ledger import LEDGER_TABLE
from orchestration.socrata.client import SocrataClient
from tests.pipeline.conftest import DAY, PUBLISHER
from tests.public_datasets import seed_view, seeded_view

pytestmark = pytest.mark.integration  # builds warehouses with dbt: not in make test-fast

CFS_PUBLIC = CALLS_FOR_SERVICE.published.public_dataset_id


def writes(platform) -> list[dict]:
    entries = requests.get(f"{platform.public.url}/_portal/requests", timeout=5).json()
    return [e for e in entries if e["method"] in ("POST", "PUT") and e["path"].startswith("/res")]


def forget_requests(platform) -> None:
    requests.delete(f"{platform.public.url}/_portal/requests", timeout=5).raise_for_status()


@pytest.fixture(scope="module")
def published(platform):
    assert platform.run_daily_job(DAY).success
    return platform


def run_job(platform, name: str, **kwargs) -> dg.ExecuteInProcessResult:
    job = platform.definitions().resolve_job_def(name)
    return job.execute_in_process(instance=dg.DagsterInstance.get(), **kwargs)


def test_the_dry_run_of_a_published_partition_plans_nothing_and_sends_nothing(published):
    forget_requests(published)
    result = run_job(published, "publish_plan", partition_key=DAY.isoformat())
    plans = result.output_for_node("plan_publish")
    assert set(plans) == {dataset.name for dataset in PUBLISHED_DATASETS}
    assert all(p["creates"] == p["updates"] == p["deletes"] == 0 for p in plans.values())
    assert plans["calls_for_service"]["unchanged"] > 0
    assert writes(published) == []


def test_the_dry_run_of_a_new_partition_plans_every_row_as_a_create(published):
    day_before = DAY - timedelta(days=1)
    assert published.run_daily_job(day_before).success
    with duckdb.connect(str(published.warehouse)) as connection:
        connection.execute(
            f"delete from {LEDGER_TABLE} where dataset_id = ? and day = ?",
            [CFS_PUBLIC, day_before],
        )
    result = run_job(published, "publish_plan", partition_key=day_before.isoformat())
    plan = result.output_for_node("plan_publish")["calls_for_service"]
    assert plan["creates"] == plan["rows_in_mart"] > 0
    assert plan["updates"] == plan["deletes"] == 0


def test_a_full_refresh_replaces_the_dataset_with_the_whole_mart(published):
    domain = f"{published.public.host}:{published.public.port}"
    with SocrataClient(domain, username=PUBLISHER[0], password=PUBLISHER[1]) as client:
        client.upsert(CFS_PUBLIC, [{"nopd_item": "STRAY-ROW"}])
    forget_requests(published)
    config = {"ops": {"replace_public_rows": {"config": {"dataset": "calls_for_service"}}}}
    result = run_job(published, "replace_public_dataset", run_config=config)
    assert result.success
    items = [row["nopd_item"] for row in published.published_rows(CFS_PUBLIC)]
    with duckdb.connect(str(published.warehouse), read_only=True) as connection:
        mart = connection.execute("select count(*) from marts.calls_for_service").fetchone()[0]
        ledger = connection.execute(
            f"select count(*) from {LEDGER_TABLE} where dataset_id = ?", [CFS_PUBLIC]
        ).fetchone()[0]
    assert "STRAY-ROW" not in items
    assert len(items) == len(set(items)) == mart == ledger
    assert writes(published)[0]["method"] == "PUT"


def test_a_full_refresh_of_an_unknown_dataset_fails_with_the_catalog_names(published):
    config = {"ops": {"replace_public_rows": {"config": {"dataset": "parking_tickets"}}}}
    result = run_job(published, "replace_public_dataset", run_config=config, raise_on_error=False)
    assert not result.success
    failure = result.failure_data_for_node("replace_public_rows")
    assert "calls_for_service" in str(failure.error.message)


def step_failures(result: dg.ExecuteInProcessResult) -> dict[str, str]:
    """The failure text of each failed step: its error and its `Failure` description."""
    failures = {}
    for event in result.all_events:
        if event.event_type == dg.DagsterEventType.STEP_FAILURE:
            data = event.step_failure_data
            described = data.user_failure_data.description if data.user_failure_data else ""
            failures[event.step_key] = f"{data.error.message if data.error else ''} {described}"
    return failures


@pytest.fixture
def calls_mart(published):
    """Change the calls mart for one test (as a faulty build would), restored afterwards."""
    with duckdb.connect(str(published.warehouse)) as connection:
        connection.execute("create table main.clean_calls as select * from marts.calls_for_service")

    def change(sql: str) -> None:
        with duckdb.connect(str(published.warehouse)) as connection:
            connection.execute(sql)

    yield change
    with duckdb.connect(str(published.warehouse)) as connection:
        connection.execute("create or replace table marts.calls_for_service as from clean_calls")
        connection.execute("drop table main.clean_calls")


def replace_calls(platform, **config) -> dg.ExecuteInProcessResult:
    config = {
        "ops": {"replace_public_rows": {"config": {"dataset": "calls_for_service", **config}}}
    }
    return run_job(platform, "replace_public_dataset", run_config=config, raise_on_error=False)


def test_a_full_refresh_of_an_empty_mart_is_refused_unless_explicitly_allowed(
    published, calls_mart
):
    before = published.published_rows(CFS_PUBLIC)
    calls_mart("delete from marts.calls_for_service")
    forget_requests(published)

    refused = replace_calls(published)

    assert not refused.success
    failure = step_failures(refused)["replace_public_rows"]
    assert "empty mart" in failure and "allow_empty: true" in failure
    # Allowed, the empty mart still meets its contract first: the day's raw calls say it
    # should not be empty, so it is refused too.
    allowed = replace_calls(published, allow_empty=True)
    assert not allowed.success
    assert "failed_rows_reconciliation" in step_failures(allowed)["replace_public_rows"]
    assert writes(published) == []
    assert published.published_rows(CFS_PUBLIC) == before


def test_a_full_refresh_runs_the_contract_first_and_sends_nothing_when_a_check_fails(
    published, calls_mart
):
    before = published.published_rows(CFS_PUBLIC)
    calls_mart(
        "update marts.calls_for_service set block_address = '1234 Canal St' "
        "where nopd_item = (select min(nopd_item) from marts.calls_for_service)"
    )
    forget_requests(published)

    result = replace_calls(published)

    assert not result.success
    failure = step_failures(result)["replace_public_rows"]
    assert "failed_rows_house_number" in failure and "Nothing was sent" in failure
    assert writes(published) == []
    assert published.published_rows(CFS_PUBLIC) == before


def test_a_dataset_lacking_a_column_fails_alone_naming_the_column_and_the_fix(published):
    uof = USE_OF_FORCE.published
    view = seeded_view(uof)
    view["columns"] = [c for c in view["columns"] if c["fieldName"] != "subject_age"]
    seed_view(published.public.url, uof.public_dataset_id, view)
    result = published.publish_again()
    failures = step_failures(result)
    step = uof.published_asset_key.to_python_identifier()
    assert list(failures) == [step]
    assert "column subject_age" in failures[step] and "is missing" in failures[step]
    assert "provision_public_datasets" in failures[step]
    retries = [
        e for e in result.all_events if e.event_type == dg.DagsterEventType.STEP_UP_FOR_RETRY
    ]
    assert retries == []
    published_steps = {
        e.step_key for e in result.all_events if e.event_type == dg.DagsterEventType.STEP_SUCCESS
    }
    for dataset in PUBLISHED_DATASETS:
        if dataset is not uof:
            assert dataset.published_asset_key.to_python_identifier() in published_steps


def test_the_provisioning_dry_run_reports_the_missing_column_and_writes_nothing(published):
    uof = USE_OF_FORCE.published
    view = seeded_view(uof)
    view["columns"] = [c for c in view["columns"] if c["fieldName"] != "subject_age"]
    seed_view(published.public.url, uof.public_dataset_id, view)
    forget_requests(published)
    config = {"ops": {"provision_datasets": {"config": {"dry_run": True}}}}
    result = run_job(published, "provision_public_datasets", run_config=config)
    actions = result.output_for_node("provision_datasets")
    assert actions["use_of_force"] == "would change"
    assert {actions[d.name] for d in PUBLISHED_DATASETS if d is not uof} == {"unchanged"}
    entries = requests.get(f"{published.public.url}/_portal/requests", timeout=5).json()
    assert {entry["method"] for entry in entries} == {"GET"}
    config = {"ops": {"provision_datasets": {"config": {"dry_run": False}}}}
    fixed = run_job(published, "provision_public_datasets", run_config=config)
    assert fixed.output_for_node("provision_datasets")["use_of_force"] == "columns changed"
    assert published.publish_again().success


def test_the_preflight_job_passes_on_a_working_platform_and_writes_nothing(published):
    forget_requests(published)
    result = run_job(published, "preflight_check")
    assert result.success
    lines = result.output_for_node("check_portals")
    assert len(lines) == 2 + 3 + len(PUBLISHED_DATASETS) * 2
    assert all(line.startswith("ok") for line in lines)
    entries = requests.get(f"{published.public.url}/_portal/requests", timeout=5).json()
    assert {entry["method"] for entry in entries} <= {"GET", "PATCH"}
