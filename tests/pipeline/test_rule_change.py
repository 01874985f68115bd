"""Changing a privacy rule is safe: one command rebuilds the history under the new rule,
holds it to the blocking checks, and withdraws from the portal what became private.

The rule change is made in a copy of the dbt project (the tree's seeds stay as they are): a
call type that published calls carry is added to the juvenile call types, as a city would
after finding one missing. `make reapply-rules` then runs `publishing.reapply.reapply`
against the code location; here the same function runs against the test platform's
definitions built on the copy.
"""

from __future__ import annotations

import csv
import shutil
from datetime import timedelta

import dagster as dg
import duckdb
import pytest
import requests
from dagster_dbt import DbtProject

from orchestration.catalog import (
    CALLS_FOR_SERVICE,
    PUBLISHED_DATASETS,
    SERVICE_REQUESTS_311,
    USE_OF_FORCE,
)
from orchestration.definitions import build_definitions
from orchestration.publishing.ledger import LEDGER_TABLE
from orchestration.publishing.reapply import range_tags, reapply
from orchestration.quality.contract_checks import declared_checks
from orchestration.quality.gate import composed_contract
from orchestration.transform.parse_project import parse_project
from orchestration.transform.project import DBT_PROJECT_DIR
from orchestration.warehouse.resource import WarehouseResource
from tests.pipeline.conftest import DAY
from tests.retries import QUICK_PORTAL_RETRIES

pytestmark = pytest.mark.integration  # builds a warehouse with dbt: not in make test-fast

FIRST = DAY - timedelta(days=1)
CFS = CALLS_FOR_SERVICE.published
UNTOUCHED = (USE_OF_FORCE.published, SERVICE_REQUESTS_311.published)


def public_values(rows: list[dict], row_identifier: str = CFS.row_identifier) -> dict[str, dict]:
    """Rows by identifier, without the portal's system fields."""
    return {
        row[row_identifier]: {k: v for k, v in row.items() if not k.startswith(":")} for row in rows
    }


def published(platform, dataset) -> dict[str, dict]:
    return public_values(platform.published_rows(dataset.public_dataset_id), dataset.row_identifier)


@pytest.fixture(scope="module")
def rule_change(platform, tmp_path_factory):
    """Two days published under the project's rules; then a juvenile code added to a copy of
    the project that the platform's definitions build from."""
    project_dir = tmp_path_factory.mktemp("rules") / "dbt_project"
    shutil.copytree(DBT_PROJECT_DIR, project_dir, ignore=shutil.ignore_patterns("target", "logs"))
    parse_project(project_dir, warehouse_path=str(platform.warehouse))
    project = DbtProject(project_dir=project_dir, profiles_dir=project_dir)
    definitions = build_definitions(
        platform.resources(), project=project, portal_retry_policy=QUICK_PORTAL_RETRIES
    )
    instance = dg.DagsterInstance.get()
    daily = definitions.resolve_job_def("daily_publish").execute_in_process(
        instance=instance, tags=range_tags(FIRST, DAY), raise_on_error=False
    )
    assert daily.success
    with duckdb.connect(str(platform.warehouse), read_only=True) as connection:
        # A code on both days, carried by a few published calls only.
        code, text = connection.execute(
            f"""
            select type_, any_value(typetext) from {CFS.mart_table}
            group by type_
            having count(distinct cast(timecreate as date)) = 2 and count(*) between 2 and 20
            order by count(*), type_ limit 1
            """
        ).fetchone()
    before = {dataset.name: published(platform, dataset) for dataset in PUBLISHED_DATASETS}
    with (project_dir / "seeds" / "juvenile_call_types.csv").open("a", newline="") as seed:
        csv.writer(seed, lineterminator="\n").writerow([code, text, "found to name a juvenile"])
    requests.delete(f"{platform.source.url}/_portal/requests", timeout=5).raise_for_status()
    span, result = reapply(definitions, instance, WarehouseResource(path=str(platform.warehouse)))
    return code, before, span, result


def test_the_one_command_rebuilds_every_day_with_data_and_succeeds(rule_change):
    _, _, span, result = rule_change
    assert span == (FIRST, DAY)
    assert result.success


def test_calls_of_the_new_juvenile_code_are_withdrawn_and_nothing_else_changes(
    platform, rule_change
):
    code, before, _, _ = rule_change
    calls = before[CFS.name]
    private = {
        key for key, row in calls.items() if code in (row.get("type_"), row.get("initialtype"))
    }
    assert private, f"no published call carries {code}"
    after = published(platform, CFS)
    assert after == {key: row for key, row in calls.items() if key not in private}
    with duckdb.connect(str(platform.warehouse), read_only=True) as connection:
        ledger = {
            row_id
            for (row_id,) in connection.execute(
                f"select row_id from {LEDGER_TABLE} where dataset_id = ?", [CFS.public_dataset_id]
            ).fetchall()
        }
    assert ledger == set(after)
    for dataset in UNTOUCHED:
        assert published(platform, dataset) == before[dataset.name], dataset.name


def test_the_publish_withdrew_them_as_deletes_and_sent_nothing_else(rule_change):
    code, before, _, result = rule_change
    private = [
        row for row in before[CFS.name].values() if code in (row["type_"], row["initialtype"])
    ]
    # One materialization a day of the range, each with the run's one publish figures.
    [metadata, *_] = [
        event.materialization.metadata
        for event in result.get_asset_materialization_events()
        if event.asset_key == CFS.published_asset_key
    ]
    counts = {key: metadata[key].value for key in ("rows_created", "rows_updated")}
    assert counts == {"rows_created": 0, "rows_updated": 0}
    assert metadata["rows_deleted"].value == len(private)


def test_every_blocking_check_ran_over_the_rebuilt_days_and_held(rule_change):
    _, _, _, result = rule_change
    evaluations = {(e.asset_key, e.check_name): e for e in result.get_asset_check_evaluations()}
    for dataset in PUBLISHED_DATASETS:
        for check in declared_checks(composed_contract(dataset)):
            evaluation = evaluations[(dataset.mart_asset_key, check.name)]
            assert evaluation.passed, (dataset.name, check.name)
            assert evaluation.metadata["window"].value == f"{FIRST}..{DAY + timedelta(days=1)}"
    assert (CFS.mart_asset_key, "failed_rows_juvenile") in evaluations


def test_the_raw_rows_are_not_loaded_again(platform, rule_change):
    _, _, _, result = rule_change
    materialized = {event.asset_key for event in result.get_asset_materialization_events()}
    assert not any(key.path[0].startswith("raw_") for key in materialized)
    assert {CFS.mart_asset_key, dg.AssetKey("juvenile_call_types")} <= materialized
    entries = requests.get(f"{platform.source.url}/_portal/requests", timeout=5).json()
    assert [entry for entry in entries if entry["path"].startswith("/resource")] == []
