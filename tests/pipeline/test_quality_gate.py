"""The quality gate catches each kind of defect that reaches a mart, and publishes nothing then.

Each case slips one defect into the published calls of the partition (as a faulty model
would), then runs what a data engineer's re-publish from the UI runs: the mart's contract
checks and its publish asset. The matching check must fail, the publish step must not run,
and the public portal must be left as it was. The same run on the clean mart publishes.
"""

from __future__ import annotations

import dagster as dg
import duckdb
import pytest

from orchestration.catalog import CALLS_FOR_SERVICE, PUBLISHED_DATASETS
from orchestration.quality.contract_checks import declared_checks
from orchestration.quality.gate import composed_contract
from tests.pipeline.conftest import DAY

pytestmark = pytest.mark.integration

MART = CALLS_FOR_SERVICE.published
IN_WINDOW = f"cast(timecreate as date) = DATE '{DAY.isoformat()}'"
ONE_CALL = f"nopd_item = (select min(nopd_item) from {MART.mart_table} where {IN_WINDOW})"

# defect -> (SQL that slips it into the mart, the contract check that must catch it)
DEFECTS = {
    "a full address": (
        f"update {MART.mart_table} set block_address = '1234 Canal St' where {ONE_CALL}",
        "failed_rows_house_number",
    ),
    "a caller's name in another column": (
        f"update {MART.mart_table} set dispositiontext = ("
        "  select max(caller_name) from raw.calls_for_service"
        f"  where _partition_date = DATE '{DAY.isoformat()}' and length(caller_name) >= 5"
        f") where {ONE_CALL}",
        "failed_rows_caller_identity",
    ),
    "a juvenile call type": (
        f"update {MART.mart_table} set type_ = "
        f"(select min(type_code) from rules.juvenile_call_types) where {ONE_CALL}",
        "failed_rows_juvenile",
    ),
    "a duplicate id": (
        f"insert into {MART.mart_table} select * from {MART.mart_table} where {ONE_CALL}",
        "nopd_item_duplicate",
    ),
    "an extra column": (
        f"alter table {MART.mart_table} add column caller_name varchar",
        "schema",
    ),
    "timestamps out of order beyond the threshold": (
        f"update {MART.mart_table} set timedispatch = timecreate - interval 1 hour "
        f"where {IN_WINDOW} and hash(nopd_item) % 10 = 0",
        "failed_rows_timestamp_order",
    ),
    "an empty day": (
        f"delete from {MART.mart_table} where {IN_WINDOW}",
        "failed_rows_empty_day",
    ),
}


@pytest.fixture(scope="module")
def daily_run(platform) -> dg.ExecuteInProcessResult:
    result = platform.run_daily_job()
    assert result.success
    return result


@pytest.fixture(scope="module")
def published(platform, daily_run):
    return platform.published_rows()


def public_values(rows: list[dict]) -> list[dict]:
    """Rows without the portal's system fields (a re-publish may touch :updated_at)."""
    return sorted(
        ({k: v for k, v in row.items() if not k.startswith(":")} for row in rows),
        key=lambda row: row[MART.row_identifier],
    )


def republish(platform) -> dg.ExecuteInProcessResult:
    """The mart's contract checks and its publish step, for the partition (no rebuild)."""
    definitions = platform.definitions()
    return dg.materialize(
        [*definitions.assets, *definitions.asset_checks],
        selection=dg.AssetSelection.assets(MART.published_asset_key)
        | dg.AssetSelection.checks_for_assets(MART.mart_asset_key),
        resources=definitions.resources,
        partition_key=DAY.isoformat(),
        instance=dg.DagsterInstance.get(),
        raise_on_error=False,
    )


@pytest.fixture
def mart_with(platform, published):
    """Apply a defect to the mart for one test, and put the clean mart back afterwards."""
    with duckdb.connect(str(platform.warehouse)) as connection:
        connection.execute(f"create table main.clean_mart as select * from {MART.mart_table}")

    def apply(sql: str) -> None:
        with duckdb.connect(str(platform.warehouse)) as connection:
            connection.execute(sql)

    yield apply
    with duckdb.connect(str(platform.warehouse)) as connection:
        connection.execute(f"create or replace table {MART.mart_table} as from main.clean_mart")
        connection.execute("drop table main.clean_mart")


def published_materializations(result: dg.ExecuteInProcessResult) -> list[dg.AssetKey]:
    return [
        event.asset_key
        for event in result.get_asset_materialization_events()
        if event.asset_key == MART.published_asset_key
    ]


@pytest.mark.parametrize("defect", DEFECTS, ids=lambda name: name.replace(" ", "_"))
def test_a_defect_fails_its_check_and_leaves_the_portal_unchanged(
    platform, published, mart_with, defect
):
    sql, check_name = DEFECTS[defect]
    before = platform.published_rows()
    mart_with(sql)

    result = republish(platform)

    evaluations = {e.check_name: e for e in result.get_asset_check_evaluations()}
    assert not evaluations[check_name].passed, defect
    assert evaluations[check_name].severity == dg.AssetCheckSeverity.ERROR
    assert not result.success
    assert published_materializations(result) == []
    assert platform.published_rows() == before


def test_a_failed_check_shows_failing_row_ids_never_values(platform, published, mart_with):
    sql, check_name = DEFECTS["a caller's name in another column"]
    mart_with(sql)
    result = republish(platform)
    [evaluation] = [e for e in result.get_asset_check_evaluations() if e.check_name == check_name]
    metadata = {key: value.value for key, value in evaluation.metadata.items()}
    with duckdb.connect(str(platform.warehouse), read_only=True) as connection:
        [(failing_call, name)] = connection.execute(
            f"select nopd_item, dispositiontext from {MART.mart_table} where {ONE_CALL}"
        ).fetchall()
    assert metadata["failed_rows_count"] == 1
    assert metadata["sample_failing_row_ids"] == [failing_call]
    assert name not in repr(metadata)


def test_the_same_run_on_the_clean_mart_publishes(platform, published):
    result = republish(platform)
    assert result.success
    assert published_materializations(result) == [MART.published_asset_key]
    assert public_values(platform.published_rows()) == public_values(published)


def test_every_contract_check_of_every_mart_has_an_outcome_in_dagster(daily_run):
    """What the UI shows: each check's executions, read from the instance's event log."""
    storage = dg.DagsterInstance.get().event_log_storage
    for dataset in PUBLISHED_DATASETS:
        names = [check.name for check in declared_checks(composed_contract(dataset))]
        statuses = {}
        for name in names:
            history = storage.get_asset_check_execution_history(
                dg.AssetCheckKey(dataset.mart_asset_key, name), limit=100
            )
            [record] = [r for r in history if r.run_id == daily_run.run_id]
            statuses[name] = record.status.value
        assert statuses == dict.fromkeys(names, "SUCCEEDED"), dataset.name
