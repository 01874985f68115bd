"""Views (`GET /api/views/<id>.json`), seeded views (`PUT /_portal/views/<id>`), the catalog.

A view keeps every key it was given and adds only what the portal computes; the row
identifier is a column id (../shared/socrata/recorded/test_get_metadata_and_attachments.yaml).
"""

from __future__ import annotations

import json
import time

import pytest
import requests

from tests.portal.conftest import (
    CFS_ID,
    RECORDED_VIEW_ID,
    recorded_exchanges,
    recorded_view,
    seed_view,
    socrata_client,
)
from tooling.local_portal.views import COMPUTED_KEYS

SCRATCH = {
    "name": "Scratch",
    "columns": [{"fieldName": "k", "name": "K", "dataTypeName": "text", "id": 4001}],
    "rowIdentifierColumnId": 4001,
}


def test_a_csv_dataset_shows_its_sidecar_metadata(client):
    view = client.get_metadata(CFS_ID)
    assert view["id"] == CFS_ID
    assert view["name"] == "Calls for Service 2022"
    assert view["attribution"] == "Orleans Parish Communication District"
    assert [(c["fieldName"], c["name"], c["dataTypeName"]) for c in view["columns"]] == [
        ("nopd_item", "NOPD_Item", "text"),
        ("type_", "Type_", "text"),
        ("priority", "Priority", "text"),
        ("mapx", "MapX", "number"),
        ("timecreate", "TimeCreate", "calendar_date"),
    ]
    assert view["metadata"]["custom_fields"] == {"Lineage": {"source": "OPCD CAD"}}
    assert isinstance(view["rowsUpdatedAt"], int)


def test_a_csv_sidecars_row_identifier_field_name_is_shown_as_a_column_id(client):
    # recorded/test_get_metadata_and_attachments.yaml: rowIdentifierColumnId and
    # metadata.rowIdentifier are the (numeric) column id
    view = client.get_metadata(CFS_ID)
    item_id = view["columns"][0]["id"]
    assert isinstance(item_id, int)
    assert view["rowIdentifierColumnId"] == item_id
    assert view["metadata"]["rowIdentifier"] == item_id


def test_an_unknown_view_is_the_recorded_404(portal, shared_socrata):
    # recorded/test_get_metadata_and_attachments_missing.yaml
    recorded = recorded_exchanges(shared_socrata, "test_get_metadata_and_attachments_missing.yaml")
    answer = requests.get(f"{portal.url}/api/views/songs.json", timeout=5)
    assert answer.status_code == recorded[0]["status"]
    assert answer.json() == json.loads(recorded[0]["body"])


def test_a_view_seeded_from_the_recorded_real_view_keeps_every_key_it_holds(portal, shared_socrata):
    # recorded/test_get_metadata_and_attachments.yaml: approvals, clientContext, owner, tags,
    # metadata.attachments, metadata.custom_fields, metadata.rdfSubject... byte for byte
    real = recorded_view(shared_socrata)
    seed_view(portal, RECORDED_VIEW_ID, real)
    served = requests.get(f"{portal.url}/api/views/{RECORDED_VIEW_ID}.json", timeout=5).json()
    kept = set(real) - COMPUTED_KEYS
    assert {key: json.dumps(served[key]) for key in kept} == {
        key: json.dumps(real[key]) for key in kept
    }


def test_a_view_seeded_from_the_recorded_real_view_keeps_its_row_identifier_column_id(
    portal, shared_socrata
):
    # recorded/test_get_metadata_and_attachments.yaml: "rowIdentifierColumnId" : 562412106
    seed_view(portal, RECORDED_VIEW_ID, recorded_view(shared_socrata))
    served = requests.get(f"{portal.url}/api/views/{RECORDED_VIEW_ID}.json", timeout=5).json()
    assert served["rowIdentifierColumnId"] == 562412106


def test_a_seeded_view_gets_numeric_column_ids_where_it_gives_none(portal):
    view = seed_view(portal, "seed-0001", {"name": "S", "columns": [{"fieldName": "a"}]})
    assert isinstance(view["columns"][0]["id"], int)


def test_a_seeded_dataset_is_published_and_empty(portal, client):
    seed_view(portal, "seed-0001", SCRATCH)
    assert client.get("seed-0001") == []
    assert client.upsert("seed-0001", [{"k": "1"}])["Rows Created"] == 1


def test_seeding_again_replaces_the_dataset_with_an_empty_one(portal, client):
    seed_view(portal, "seed-0001", SCRATCH)
    client.upsert("seed-0001", [{"k": "1"}])
    seed_view(portal, "seed-0001", {**SCRATCH, "name": "Again"})
    assert client.get("seed-0001") == []
    assert client.get_metadata("seed-0001")["name"] == "Again"


def test_seeding_is_a_local_extension_without_credentials(guarded_portal):
    answer = requests.put(f"{guarded_portal.url}/_portal/views/seed-0001", json=SCRATCH, timeout=5)
    assert answer.status_code == 200


def test_sodapy_create_is_not_an_endpoint(client):
    # Datasets are created through the Dataset Management API (docs/publishers_dsmapi.md)
    with pytest.raises(requests.HTTPError, match="404"):
        client.create("Scratch", columns=[{"fieldName": "k", "dataTypeName": "text"}])


def test_uploading_to_api_assets_is_not_an_endpoint(portal):
    # Files are attached through a DSMAPI revision (docs/publishers_dsmapi.md)
    files = {"file": ("x.txt", b"x", "text/plain")}
    answer = requests.post(f"{portal.url}/api/assets", files=files, timeout=5)
    assert answer.status_code == 404


def test_publishing_a_dataset_answers_its_view(client):
    assert client.publish(CFS_ID)["id"] == CFS_ID


def test_the_data_update_time_moves_only_when_rows_change(client):
    def data_updated_at() -> str:
        return client.datasets(ids=[CFS_ID])[0]["resource"]["data_updated_at"]

    before = data_updated_at()
    time.sleep(0.002)  # the catalog shows milliseconds (the view, whole seconds)
    client.upsert(CFS_ID, [{"nopd_item": "A0001-22", "type_": "21"}])
    assert data_updated_at() == before
    client.upsert(CFS_ID, [{"nopd_item": "A0001-22", "type_": "22"}])
    assert data_updated_at() > before


def test_a_dataset_can_be_deleted(client):
    client.delete(CFS_ID)
    with pytest.raises(requests.HTTPError, match="404"):
        client.get_metadata(CFS_ID)
    assert client.datasets() == []


def test_the_catalog_lists_every_dataset_for_sodapy(portal, client):
    seed_view(portal, "zzzz-0001", {"name": "Another", "columns": [{"fieldName": "a"}]})
    listed = client.datasets()
    assert [entry["resource"]["id"] for entry in listed] == [CFS_ID, "zzzz-0001"]
    resource = listed[0]["resource"]
    assert resource["name"] == "Calls for Service 2022"
    assert resource["type"] == "dataset"
    assert resource["columns_field_name"][:2] == ["nopd_item", "type_"]
    assert resource["updatedAt"].endswith("Z")
    assert listed[0]["metadata"]["domain"] == client.domain


def test_the_catalog_pages_and_filters(client, portal):
    for number in range(3):
        seed_view(portal, f"page-000{number}", {"name": f"Page {number}"})
    assert [e["resource"]["id"] for e in client.datasets(limit=2, offset=1)] == [
        "page-0000",
        "page-0001",
    ]
    found = requests.get(f"{portal.url}/api/catalog/v1", params={"q": "page 2"}, timeout=5).json()
    assert (found["resultSetSize"], found["results"][0]["resource"]["id"]) == (1, "page-0002")
    assert client.datasets(ids=[CFS_ID], only=["dataset"])[0]["resource"]["id"] == CFS_ID


def test_a_view_delete_needs_the_credentials(guarded_portal):
    with socrata_client(guarded_portal) as client, pytest.raises(requests.HTTPError, match="401"):
        client.delete(CFS_ID)
