"""Each publish leaves a lineage document on the portal, and the view points at it."""

from __future__ import annotations

import json

import pytest
import requests

from orchestration.catalog import PUBLISHED_DATASETS, SOURCES
from orchestration.transform.project import dbt_project
from tests.pipeline.conftest import DAY

pytestmark = pytest.mark.integration  # builds warehouses with dbt: not in make test-fast

MANIFEST = json.loads(dbt_project.manifest_path.read_text())
MODELS = {node["name"] for node in MANIFEST["nodes"].values()}
DATASET_IDS = [dataset.public_dataset_id for dataset in PUBLISHED_DATASETS]


@pytest.fixture(scope="module")
def published(platform):
    assert platform.run_daily_job(DAY).success
    return platform


def view_of(platform, dataset_id: str) -> dict:
    answer = requests.get(f"{platform.public.url}/api/views/{dataset_id}.json", timeout=10)
    answer.raise_for_status()
    return answer.json()


def lineage_of(platform, dataset_id: str) -> dict:
    url = view_of(platform, dataset_id)["metadata"]["custom_fields"]["Provenance"]["Lineage JSON"]
    return requests.get(platform.public.url + url, timeout=10).json()


def internal_fields(platform, source) -> set[str]:
    view = requests.get(
        f"{platform.source.url}/api/views/{source.internal_dataset_id}.json", timeout=10
    ).json()
    return {column["fieldName"] for column in view["columns"]}


@pytest.mark.parametrize("dataset_id", DATASET_IDS)
def test_the_portal_view_carries_the_provenance_fields_after_a_run(published, dataset_id):
    view = view_of(published, dataset_id)
    provenance = view["metadata"]["custom_fields"]["Provenance"]
    assert set(provenance) >= {
        "Lineage document",
        "Lineage JSON",
        "Source dataset",
        "Published at",
        "Published by run",
        "Code version",
    }
    assert view["metadata"]["custom_fields"]["Publishing Details"]["Update Frequency"] == "Daily"
    assert view["metadata"]["rowIdentifier"]
    assert view["attribution"] and view["description"]
    page = requests.get(published.public.url + provenance["Lineage document"], timeout=10)
    assert page.headers["Content-Type"].startswith("text/html")
    assert "Where " in page.text


@pytest.mark.parametrize("dataset", PUBLISHED_DATASETS, ids=lambda d: d.name)
def test_every_published_column_names_its_source_column_or_what_it_is_derived_from(
    published, dataset
):
    document = lineage_of(published, dataset.public_dataset_id)
    columns = {column["field"]: column for column in document["columns"]}
    assert list(columns) == list(dataset.public_field_names)
    origin = next(s for s in SOURCES if s.internal_dataset_id == document["source"]["name"])
    fields = internal_fields(published, origin)
    for name, column in columns.items():
        assert not column.get("unresolved"), (name, column.get("unresolved"))
        if column["derived"]:
            assert column["derived_from"], name
        else:
            assert set(column["source_columns"]) <= fields, name
        assert column["steps"][-1]["model"] == dataset.name
        assert {step["model"] for step in column["steps"]} <= MODELS, name


def test_the_json_follows_openlineage_column_lineage(published):
    document = lineage_of(published, "nopd-cfs1")
    facet = document["facets"]["columnLineage"]
    assert facet["_schemaURL"].endswith("ColumnLineageDatasetFacet.json")
    block = facet["fields"]["block_address"]["inputFields"]
    # The address, masked to its block; the caller's name and phone are read to cut them
    # out of it where a call taker typed them there.
    assert [field["field"] for field in block] == ["address", "caller_name", "caller_phone"]
    assert all(field["transformations"][0]["masking"] for field in block)


def test_the_document_counts_the_rows_each_exclusion_rule_removed(published):
    document = lineage_of(published, "nopd-cfs1")
    reasons = document["exclusions"]["rows_by_reason"]
    assert reasons.get("excluded: exclude_open_calls", 0) > 0
    assert document["checks"] and all(check["passed"] for check in document["checks"])
    assert document["publication"]["run_id"]


def test_the_address_column_names_the_masking_rule_on_its_way(published):
    document = lineage_of(published, "nopd-cfs1")
    [column] = [c for c in document["columns"] if c["field"] == "block_address"]
    rules = {rule for step in column["steps"] for rule in step["rules"]}
    assert "mask_block_address" in rules
