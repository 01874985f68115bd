"""The code location loads, and its asset graph tells the data's story from raw to published."""

from __future__ import annotations

import itertools

import dagster as dg
import pytest

from orchestration.catalog import PUBLISHED_DATASETS, SOURCES


@pytest.fixture(scope="module")
def repository():
    from orchestration.definitions import defs

    return defs.get_repository_def()


def keys(*parts: str) -> dg.AssetKey:
    return dg.AssetKey(list(parts))


def test_definitions_load_and_validate():
    from orchestration.definitions import defs

    dg.Definitions.validate_loadable(defs)


@pytest.mark.parametrize("source", SOURCES, ids=lambda s: s.name)
def test_each_source_runs_from_internal_dataset_to_published(repository, source):
    graph = repository.asset_graph
    name = source.name
    chain = [
        keys("internal", name),
        keys(f"raw_{name}"),
        keys(f"stg_{name}"),
        keys(f"int_{name}_validated"),
        keys(f"int_{name}_deduplicated"),
        keys(f"int_{name}_privacy_filtered"),
        keys(name),
        keys("socrata", name),
    ]
    for upstream, downstream in itertools.pairwise(chain):
        assert upstream in graph.get_ancestor_asset_keys(downstream), f"{upstream} -> {downstream}"
    assert keys(name) in graph.get(keys("socrata", name)).parent_keys


def test_response_times_are_downstream_of_the_calls_mart(repository):
    parents = repository.asset_graph.get(keys("police_response_times")).parent_keys
    assert keys("calls_for_service") in parents


def test_groups_follow_the_layers(repository):
    graph = repository.asset_graph
    assert graph.get(keys("raw_calls_for_service")).group_name == "raw"
    assert graph.get(keys("stg_calls_for_service")).group_name == "staging"
    assert graph.get(keys("int_calls_for_service_deduplicated")).group_name == "intermediate"
    assert graph.get(keys("calls_for_service")).group_name == "marts"
    assert graph.get(keys("juvenile_call_types")).group_name == "rules"
    assert graph.get(keys("socrata", "calls_for_service")).group_name == "published"


def test_every_public_mart_has_blocking_contract_checks(repository):
    graph = repository.asset_graph
    for dataset in PUBLISHED_DATASETS:
        check_key = dg.AssetCheckKey(dataset.mart_asset_key, "schema")
        assert check_key in graph.asset_check_keys, dataset.name
        assert graph.get_check_spec(check_key).blocking


def test_each_contract_check_is_its_own_dagster_check(repository):
    names = {
        key.name
        for key in repository.asset_graph.asset_check_keys
        if key.asset_key == dg.AssetKey("calls_for_service")
    }
    assert {"nopd_item_missing", "nopd_item_duplicate", "failed_rows_juvenile"} <= names


def test_daily_schedule_publishes_every_source_at_three_in_the_city(repository):
    schedule = repository.get_schedule_def("daily_publish_schedule")
    assert schedule.cron_schedule == "0 3 * * *"
    assert schedule.execution_timezone == "America/Chicago"
    job = repository.get_job("daily_publish")
    selected = job.asset_layer.selected_asset_keys
    for source in SOURCES:
        assert source.published.published_asset_key in selected
        assert source.raw_asset_key in selected


def test_every_executable_asset_has_description_owner_group_kind_and_code_version(repository):
    """The internal datasets are external assets: no code of ours makes them, so no version."""
    for node in repository.asset_graph.asset_nodes:
        if not node.is_executable:
            continue
        spec = node.to_asset_spec()
        assert spec.description, node.key
        assert spec.owners, node.key
        assert spec.group_name, node.key
        assert spec.kinds, node.key
        assert spec.code_version, node.key


def test_each_internal_dataset_names_its_id_and_name(repository):
    for source in SOURCES:
        spec = repository.asset_graph.get(source.internal_asset_key).to_asset_spec()
        assert spec.metadata["dataset_id"] == source.internal_dataset_id
        assert spec.metadata["dataset_name"] == source.internal_dataset_name


def test_the_workspace_validates_with_the_dagster_cli(_dagster_home):
    import subprocess
    import sys
    from pathlib import Path

    repo = Path(__file__).resolve().parent.parent
    dagster = str(Path(sys.executable).with_name("dagster"))
    result = subprocess.run(
        [dagster, "definitions", "validate", "-w", "workspace.yaml"],
        cwd=repo,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "All code locations passed validation" in result.stderr + result.stdout


def test_dbt_defaults_equal_the_catalogs_privacy_parameters():
    from pathlib import Path

    import yaml

    project = Path(__file__).resolve().parent.parent / "dbt_project" / "dbt_project.yml"
    defaults = yaml.safe_load(project.read_text())["vars"]
    for source in SOURCES:
        assert defaults[source.name] == dict(source.privacy), source.name
