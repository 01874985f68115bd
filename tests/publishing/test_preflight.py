"""The check before the first night reports what would stop a publish, and writes nothing."""

from __future__ import annotations

import requests

from orchestration.publishing.preflight import check_credentials, check_public
from orchestration.socrata.client import SocrataClient
from tests.public_datasets import seed_view, seeded_view
from tests.publishing.conftest import DATASET, DATASET_ID, forget_requests


def requests_made(portal) -> list[tuple[str, str, str]]:
    entries = requests.get(f"{portal.url}/_portal/requests", timeout=5).json()
    return [(e["method"], e["path"], e.get("query") or {}) for e in entries]


def view(portal) -> dict:
    return requests.get(f"{portal.url}/api/views/{DATASET_ID}.json", timeout=5).json()


def test_a_provisioned_dataset_passes_and_the_check_says_what_a_publish_would_set(client, portal):
    before = view(portal)
    forget_requests(portal)
    columns, metadata = check_public(client, [DATASET], {})
    assert (columns.ok, metadata.ok) == (True, True)
    assert "adds its Provenance fieldset" in metadata.detail
    assert view(portal) == before
    made = requests_made(portal)
    assert {method for method, _, _ in made} <= {"GET", "PATCH"}
    assert all(
        query.get("validateOnly") == "true" for method, _, query in made if method == "PATCH"
    )


def test_a_dataset_lacking_a_column_fails_the_check_with_the_publishs_own_message(client, portal):
    lacking = seeded_view(DATASET)
    lacking["columns"] = [c for c in lacking["columns"] if c["fieldName"] != "zip"]
    seed_view(portal.url, DATASET_ID, lacking)
    (columns,) = check_public(client, [DATASET], {})
    assert not columns.ok
    assert "column zip (text) is missing" in columns.detail
    assert "provision_public_datasets" in columns.detail


def test_a_missing_public_dataset_fails_the_check(client, portal):
    (columns,) = check_public(client, [DATASET], {"calls_for_service": "none-0000"})
    assert not columns.ok and "does not exist" in columns.detail


def test_the_publishers_credentials_are_checked_without_writing(client, portal):
    finding = check_credentials(client, "public", needs_write=True)
    assert finding.ok and "publisher" in finding.detail


def test_wrong_credentials_fail_the_credentials_check(portal):
    with SocrataClient(
        f"{portal.host}:{portal.port}", username="publisher", password="wrong", max_retries=0
    ) as wrong:
        finding = check_credentials(wrong, "public", needs_write=True)
    assert not finding.ok and "401" in finding.detail
