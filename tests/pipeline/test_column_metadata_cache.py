"""Column schema and lineage are derived once per version of what they depend on."""

from __future__ import annotations

import json
from datetime import timedelta

import dagster as dg
import duckdb
import pytest

from orchestration.catalog import CALLS_FOR_SERVICE
from orchestration.transform import column_metadata
from orchestration.transform.column_metadata import cache_path_for
from orchestration.transform.project import dbt_project
from tests.pipeline.conftest import DAY, running_platform, write_sample_exports

pytestmark = pytest.mark.integration  # builds warehouses with dbt: not in make test-fast

LINEAGE = "dagster/column_lineage"
SCHEMA = "dagster/column_schema"


class CountingDerivation:
    """dagster-dbt's derivation, counting the models it was asked for."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.models: list[str] = []
        derive = column_metadata.column_metadata_of_event

        def counted(invocation, event):
            self.models.append(event.metadata["unique_id"].value)
            return derive(invocation, event)

        monkeypatch.setattr(column_metadata, "column_metadata_of_event", counted)


def model_metadata(result) -> dict[str, dict]:
    """Column schema and lineage of each dbt model the run materialized."""
    found = {}
    for event in result.get_asset_materialization_events():
        materialization = event.step_materialization_data.materialization
        metadata = materialization.metadata
        if SCHEMA in metadata:
            found[materialization.asset_key.to_user_string()] = {
                SCHEMA: metadata[SCHEMA].value,
                LINEAGE: metadata[LINEAGE].value if LINEAGE in metadata else None,
            }
    return found


def calls_models() -> set[str]:
    """The dbt models downstream of the calls-for-service raw table."""
    manifest = json.loads(dbt_project.manifest_path.read_text())
    children = manifest["child_map"]
    [source] = [
        unique_id
        for unique_id, props in manifest["sources"].items()
        if props["name"] == CALLS_FOR_SERVICE.raw_table.split(".")[1]
    ]
    seen, todo = set(), [source]
    while todo:
        for child in children.get(todo.pop(), []):
            if child.startswith("model.") and child not in seen:
                seen.add(child)
                todo.append(child)
    return seen


@pytest.fixture(scope="module")
def platform(tmp_path_factory):
    """A platform whose warehouse derives its column metadata and builds its rule tables
    itself: no suite-wide copy of either."""
    root = tmp_path_factory.mktemp("platform")
    exports = write_sample_exports(root / "portal" / "internal", DAY - timedelta(days=1), DAY)
    with running_platform(
        root, exports, seed_column_metadata=False, seed_rule_tables=False
    ) as running:
        yield running


@pytest.fixture(scope="module")
def first_run(platform):
    result = platform.run_daily_job(DAY)
    assert result.success
    return result


def test_the_first_run_keeps_every_models_metadata_beside_the_warehouse(platform, first_run):
    cache = cache_path_for(platform.warehouse)
    assert cache.exists()
    assert model_metadata(first_run)
    assert set(json.loads(cache.read_text())["models"]) >= calls_models()
    lineage = [m[LINEAGE] for m in model_metadata(first_run).values() if m[LINEAGE]]
    assert lineage, "dagster-dbt's column lineage reaches the materializations"


def test_a_second_run_derives_nothing_and_carries_the_same_metadata(
    platform, first_run, monkeypatch
):
    derivation = CountingDerivation(monkeypatch)
    second = platform.run_daily_job(DAY)
    assert second.success
    assert derivation.models == []
    assert model_metadata(second) == model_metadata(first_run)


def test_a_raw_table_that_grew_a_column_has_its_downstream_models_derived_again(
    platform, first_run, monkeypatch
):
    with duckdb.connect(str(platform.warehouse)) as connection:
        connection.execute(f"alter table {CALLS_FOR_SERVICE.raw_table} add column newfield varchar")
    derivation = CountingDerivation(monkeypatch)
    assert platform.run_daily_job(DAY).success
    assert set(derivation.models) == calls_models()


def test_a_range_run_puts_column_metadata_on_its_newest_day_only(platform, first_run):
    first, newest = (DAY - timedelta(days=1)).isoformat(), DAY.isoformat()
    job = platform.definitions().resolve_job_def("daily_publish")
    result = job.execute_in_process(
        instance=dg.DagsterInstance.get(),
        tags={
            "dagster/asset_partition_range_start": first,
            "dagster/asset_partition_range_end": newest,
        },
        raise_on_error=False,
    )
    assert result.success
    days_with_schema = {
        event.step_materialization_data.materialization.partition
        for event in result.get_asset_materialization_events()
        if SCHEMA in event.step_materialization_data.materialization.metadata
    }
    assert days_with_schema == {newest}
