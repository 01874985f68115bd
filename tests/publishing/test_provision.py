"""Creating the public datasets and setting their columns through the Dataset Management API.

Socrata creates datasets and changes columns only through a DSMAPI revision: a source
holding the header row, an output schema typing each column and marking the row identifier,
then apply (../shared/socrata/docs/publishers_dsmapi.md, apis_publishing.json). The ids of
new datasets are the portal's to assign.
"""

from __future__ import annotations

import requests

from orchestration.catalog import PUBLISHED_DATASETS
from orchestration.publishing.provision import provision_all
from orchestration.publishing.schema import schema_differences
from tests.public_datasets import seed_view, seeded_view
from tests.publishing.conftest import DATASET, DATASET_ID, forget_requests


def requests_made(portal) -> list[tuple[str, str]]:
    entries = requests.get(f"{portal.url}/_portal/requests", timeout=5).json()
    return [(entry["method"], entry["path"]) for entry in entries]


def test_provisioning_an_empty_portal_creates_every_dataset_with_the_marts_columns(client, portal):
    outcomes = provision_all(client, PUBLISHED_DATASETS, {"calls_for_service": "gone-0000"})
    assert {o.action for o in outcomes} == {"created"}
    for dataset, outcome in zip(PUBLISHED_DATASETS, outcomes, strict=True):
        assert outcome.dataset_id not in (None, dataset.public_dataset_id, "gone-0000")
        view = client.get_view(outcome.dataset_id)
        assert schema_differences(view, dataset) == []
        assert view["name"] == dataset.title
        assert isinstance(view["rowIdentifierColumnId"], int)


def test_provisioning_again_changes_nothing(client, portal):
    first = provision_all(client, [DATASET], {"calls_for_service": "none-0000"})
    ids = {o.dataset: o.dataset_id for o in first}
    forget_requests(portal)
    again = provision_all(client, [DATASET], ids)
    assert [(o.action, o.dataset_id) for o in again] == [("unchanged", ids["calls_for_service"])]
    assert all(method == "GET" for method, _ in requests_made(portal))


def test_provisioning_makes_a_dataset_lacking_a_column_equal_to_the_mart(client, portal):
    view = seeded_view(DATASET)
    view["columns"] = [c for c in view["columns"] if c["fieldName"] != "beat"]
    seed_view(portal.url, DATASET_ID, view)
    (outcome,) = provision_all(client, [DATASET], {})
    assert outcome.action == "columns changed"
    assert outcome.differences == ["column beat (text) is missing"]
    assert schema_differences(client.get_view(DATASET_ID), DATASET) == []


def test_a_dry_run_reports_the_differences_and_writes_nothing(client, portal):
    view = seeded_view(DATASET)
    view["columns"] = [c for c in view["columns"] if c["fieldName"] != "beat"]
    seed_view(portal.url, DATASET_ID, view)
    forget_requests(portal)
    (outcome,) = provision_all(client, [DATASET], {}, dry_run=True)
    assert (outcome.action, outcome.differences) == (
        "would change",
        ["column beat (text) is missing"],
    )
    assert all(method == "GET" for method, _ in requests_made(portal))
