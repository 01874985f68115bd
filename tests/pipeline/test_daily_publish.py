"""A full daily run on the embedded default, end to end, in a temporary directory."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator

import dagster as dg
import duckdb
import pytest

from orchestration.catalog import (
    CALLS_FOR_SERVICE,
    PUBLISHED_DATASETS,
    SERVICE_REQUESTS_311,
    SOURCES,
    USE_OF_FORCE,
)
from tests.pipeline.conftest import DAY, Platform, sample_platform

pytestmark = pytest.mark.integration

HUNDRED_BLOCK = re.compile(r"^[0-9]{3,}XX \S")
HOUSE_NUMBER = re.compile(r"^\s*[0-9]+([A-Za-z]|-[A-Za-z0-9]+)?\s")


@pytest.fixture(scope="module")
def platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Platform]:
    """A platform whose first run builds the rule tables itself: the second run's replay
    carries that build's metadata, which a copy of another platform's tables (the suite's
    seed, tests/rule_tables_seed.py) would leave this instance without."""
    with sample_platform(tmp_path_factory, seed_rule_tables=False) as running:
        yield running


@pytest.fixture(scope="module")
def daily_run(platform):
    result = platform.run_daily_job()
    assert result.success
    return result


@pytest.fixture(scope="module")
def published(platform, daily_run):
    return platform.published_rows()


def internal_rows(platform) -> list[dict]:
    path = platform.root / "portal" / "internal" / f"{CALLS_FOR_SERVICE.internal_dataset_id}.csv"
    connection = duckdb.connect()
    cursor = connection.execute(
        "select * from read_csv(?, all_varchar = true, header = true)", [str(path)]
    )
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def test_the_day_is_published_with_the_citys_columns(published):
    assert published
    public_fields = set(CALLS_FOR_SERVICE.published.public_field_names)
    data_fields = {field for row in published for field in row if not field.startswith(":")}
    assert data_fields <= public_fields
    assert {"nopd_item", "block_address", "timeclosed", "location"} <= data_fields
    assert all(row["timecreate"].startswith(DAY.isoformat()) for row in published)


def test_no_caller_names_phones_or_narratives_anywhere(platform, published):
    private = set()
    for row in internal_rows(platform):
        if not row["timecreate"] or not row["timecreate"].startswith(DAY.isoformat()):
            continue
        private |= {row[f] for f in ("caller_name", "caller_phone", "narrative") if row[f]}
    assert private, "the generated source should contain private details to remove"
    published_values = {value for row in published for value in row.values()}
    assert not private & published_values
    text = " | ".join(published_values)
    assert not any(value in text for value in private if len(value) > 6)


def test_every_block_address_is_a_hundred_block_or_an_intersection_or_a_place(published):
    addresses = [row["block_address"] for row in published if "block_address" in row]
    assert any(HUNDRED_BLOCK.match(address) for address in addresses)
    assert any(" & " in address for address in addresses)
    house_numbers = [a for a in addresses if HOUSE_NUMBER.match(a) and not HUNDRED_BLOCK.match(a)]
    assert house_numbers == []


def test_no_juvenile_call_types_are_published(platform, published):
    from tests.warehouse_builder import query

    codes = {
        code
        for (code,) in query(platform.warehouse, "select type_code from rules.juvenile_call_types")
    }
    assert not any(
        row.get("type_") in codes or row.get("initialtype") in codes for row in published
    )
    assert not any("JUVENILE" in row.get("typetext", "") for row in published)


def test_no_open_calls_are_published(published):
    assert all(row.get("timeclosed") for row in published)


def test_nopd_item_is_unique(published):
    items = [row["nopd_item"] for row in published]
    assert len(items) == len(set(items))


def test_one_typetext_per_type(published):
    texts = defaultdict(set)
    for row in published:
        texts[row["type_"]].add(row.get("typetext"))
    assert all(len(values) == 1 for values in texts.values())


def test_broken_source_rows_are_quarantined_with_reasons_and_counted(platform, published):
    from tests.warehouse_builder import query

    reasons = dict(
        query(
            platform.warehouse,
            "select fate_reason, count(*) from audit.audit_calls_for_service_row_fates "
            "where fate = 'quarantined' group by all",
        )
    )
    assert reasons, "the generated day should contain rows that break their types"
    assert all(reason for reason in reasons)


def dbt_outcomes(result: dg.ExecuteInProcessResult) -> tuple[set, set]:
    """The dbt steps' materialized assets and check outcomes of a run."""
    dbt_steps = {"dbt_rules", *(f"dbt_{source.name}" for source in SOURCES)}
    assets = {
        event.asset_key
        for event in result.get_asset_materialization_events()
        if event.step_key in dbt_steps
    }
    checks = {
        (evaluation.asset_key, evaluation.check_name, evaluation.passed)
        for event in result.all_events
        if event.event_type_value == "ASSET_CHECK_EVALUATION" and event.step_key in dbt_steps
        for evaluation in [event.event_specific_data]
    }
    return assets, checks


def test_a_second_run_leaves_the_same_published_rows(platform, daily_run, published):
    # The first run ran dbt in its own process (the default); this one runs dbt as a process
    # of its own, as dagster-dbt does: both must build and test the same nodes.
    result = platform.run_daily_job(dbt_in_process=False)
    assert result.success
    assert dbt_outcomes(result) == dbt_outcomes(daily_run)
    # The rule tables were built and tested by the first run; unchanged, they are not again.
    rules = [m for m in result.get_asset_materialization_events() if m.step_key == "dbt_rules"]
    assert rules, "the rule tables are reported materialized"
    assert all(m.materialization.metadata["rule_tables_rebuilt"].value is False for m in rules)
    # What the build recorded of each table (its row count, its columns) still describes it.
    assert all("dagster/row_count" in m.materialization.metadata for m in rules)
    again = platform.published_rows()
    assert sorted(r["nopd_item"] for r in again) == sorted(r["nopd_item"] for r in published)
    assert len(again) == len(published)


PRIVATE_FIELDS = {
    "calls_for_service": ("caller_name", "caller_phone", "narrative"),
    "use_of_force": (
        "officer_name",
        "officer_badge_number",
        "subject_name",
        "subject_date_of_birth",
        "incident_address",
        "narrative",
    ),
    "service_requests_311": ("requester_name", "requester_phone", "requester_email"),
}


def internal_private_values(platform, source) -> set[str]:
    path = platform.root / "portal" / "internal" / f"{source.internal_dataset_id}.csv"
    connection = duckdb.connect()
    fields = ", ".join(f'"{field}"' for field in PRIVATE_FIELDS[source.name])
    rows = connection.execute(
        f"select {fields} from read_csv(?, all_varchar = true, header = true)", [str(path)]
    ).fetchall()
    return {value for row in rows for value in row if value}


def test_every_catalog_dataset_is_published(platform, published):
    for dataset in PUBLISHED_DATASETS:
        with platform.public_client() as client:
            assert client.get_view(dataset.public_dataset_id), dataset.name
        assert platform.published_rows(dataset.public_dataset_id), dataset.name


@pytest.mark.parametrize("source", SOURCES, ids=lambda s: s.name)
def test_no_private_value_of_the_source_appears_in_any_published_dataset(
    platform, published, source
):
    private = internal_private_values(platform, source)
    assert private
    for dataset in PUBLISHED_DATASETS:
        values = {
            value
            for row in platform.published_rows(dataset.public_dataset_id)
            for key, value in row.items()
            if not key.startswith(":")
        }
        assert not private & values, dataset.name
        text = " | ".join(values)
        leaked = [value for value in private if len(value) >= 8 and value in text]
        assert leaked == [], dataset.name


def test_use_of_force_has_one_row_per_pib_file_number(platform, published):
    rows = platform.published_rows(USE_OF_FORCE.published.public_dataset_id)
    numbers = [row["pib_file_number"] for row in rows]
    assert len(numbers) == len(set(numbers))


def test_311_repeat_reports_are_kept_and_flagged(platform, published):
    rows = platform.published_rows(SERVICE_REQUESTS_311.published.public_dataset_id)
    numbers = {row["service_request"] for row in rows}
    repeats = [row for row in rows if row.get("duplicate_of")]
    assert repeats
    assert all(row["duplicate_of"] != row["service_request"] for row in repeats)
    same_day = [row for row in repeats if row["duplicate_of"] in numbers]
    assert same_day, "some repeats should repeat a request of the same day"


def test_the_mart_shows_its_day_as_a_table_and_the_publish_its_bytes(
    platform, published, daily_run
):
    # The session's instance holds other modules' runs of the same day too: this run's only.
    instance = dg.DagsterInstance.get()
    [observation] = [
        record
        for record in instance.fetch_observations(
            dg.AssetRecordsFilter(
                asset_key=CALLS_FOR_SERVICE.published.mart_asset_key,
                asset_partitions=[DAY.isoformat()],
            ),
            limit=100,
        ).records
        if record.run_id == daily_run.run_id
    ]
    metadata = observation.asset_observation.metadata
    table = metadata["day_table"].value
    assert table.startswith("| policedistrict \\\\ priority |")
    assert table.splitlines()[-1].endswith(f"| {len(published):,} |")
    assert "data:image/svg+xml;base64," in metadata["daily_volume_90_days"].value
    [publish] = [
        record
        for record in instance.fetch_materializations(
            dg.AssetRecordsFilter(
                asset_key=CALLS_FOR_SERVICE.published.published_asset_key,
                asset_partitions=[DAY.isoformat()],
            ),
            limit=100,
        ).records
        if record.run_id == daily_run.run_id
    ]
    first = publish.asset_materialization.metadata
    assert first["bytes_sent"].value > 0
    assert first["rows_sent"].value == len(published)
