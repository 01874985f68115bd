"""`PUT /api/views/<id>.json` as Socrata answers it: top-level keys replaced, never created.

../shared/socrata/README.md: "`PUT /api/views/<id>.json` replaces the top-level keys it is
sent (`metadata` whole, with `custom_fields` and `attachments`), it does not merge; a view is
not created by it (unknown id: 404)" (Socrata staff in afeld/sodapy#22; recorded 404s), and
"The row identifier is a column id ... set when the dataset is built, not a field name sent
in metadata" (recorded view).
"""

from __future__ import annotations

import json

import pytest
import requests

from tests.portal.conftest import recorded_exchanges, seed_view

DATASET = "view-0001"
VIEW = {
    "name": "Calls",
    "description": "All calls.",
    "attribution": "OPCD",
    "tags": ["police"],
    "columns": [
        {"id": 3001, "fieldName": "nopd_item", "name": "Item", "dataTypeName": "text"},
        {"id": 3002, "fieldName": "mapx", "name": "X", "dataTypeName": "number"},
    ],
    "rowIdentifierColumnId": 3001,
    "metadata": {
        "custom_fields": {"Lineage": {"source": "CAD"}},
        "attachments": [{"assetId": "a-b", "filename": "d.pdf", "name": "Dictionary"}],
        "rdfSubject": "0",
    },
}


@pytest.fixture
def view(portal):
    """The view as seeded, rendered; `put(update)` sends a PUT and answers the response."""
    return seed_view(portal, DATASET, VIEW)


def put(portal, update, dataset_id=DATASET):
    return requests.put(f"{portal.url}/api/views/{dataset_id}.json", json=update, timeout=5)


def served(portal):
    return requests.get(f"{portal.url}/api/views/{DATASET}.json", timeout=5).json()


def test_a_put_to_an_unknown_id_is_the_recorded_404_and_creates_nothing(portal, shared_socrata):
    # recorded/test_get_metadata_and_attachments_missing.yaml (the body for an unknown view)
    recorded = recorded_exchanges(shared_socrata, "test_get_metadata_and_attachments_missing.yaml")
    answer = put(portal, {"name": "songs"}, dataset_id="songs")
    assert answer.status_code == 404
    assert answer.json() == json.loads(recorded[0]["body"])


def test_a_put_to_an_unknown_dataset_id_creates_no_dataset(portal):
    put(portal, {"name": "New"}, dataset_id="new1-data")
    assert requests.get(f"{portal.url}/api/views/new1-data.json", timeout=5).status_code == 404


def test_a_top_level_key_sent_replaces_that_key(portal, view):
    put(portal, {"description": "Some calls."})
    assert served(portal)["description"] == "Some calls."


def test_a_list_sent_replaces_the_list_whole(portal, view):
    put(portal, {"tags": ["fire"]})
    assert served(portal)["tags"] == ["fire"]


def test_keys_not_sent_are_kept(portal, view):
    put(portal, {"description": "Some calls."})
    assert (served(portal)["name"], served(portal)["attribution"]) == ("Calls", "OPCD")


def test_metadata_sent_replaces_custom_fields_and_attachments_not_sent(portal, view):
    # README: "metadata whole, with custom_fields and attachments"; afeld/sodapy#22
    put(portal, {"metadata": {"custom_fields": {"Other": {"k": "v"}}}})
    metadata = served(portal)["metadata"]
    assert metadata["custom_fields"] == {"Other": {"k": "v"}}
    assert "attachments" not in metadata
    assert "rdfSubject" not in metadata


def test_a_metadata_without_row_identifier_keeps_the_row_identifier(portal, view):
    put(portal, {"metadata": {}})
    assert served(portal)["metadata"]["rowIdentifier"] == 3001
    assert served(portal)["rowIdentifierColumnId"] == 3001


def test_the_current_row_identifier_column_id_may_be_sent_back(portal, view):
    assert put(portal, {"metadata": {"rowIdentifier": 3001}}).status_code == 200


def test_a_row_identifier_field_name_is_refused(portal, view):
    # recorded view: the row identifier is a column id, never a field name
    answer = put(portal, {"metadata": {"rowIdentifier": "nopd_item"}})
    assert answer.status_code == 400
    assert "column id" in answer.json()["message"]


def test_a_row_identifier_other_than_the_current_one_is_refused(portal, view):
    answer = put(portal, {"metadata": {"rowIdentifier": 3002}})
    assert answer.status_code == 400
    assert served(portal)["rowIdentifierColumnId"] == 3001


def test_computed_keys_sent_are_ignored(portal, view):
    put(portal, {"id": "zzzz-9999", "rowIdentifierColumnId": 3002, "rowsUpdatedAt": 1})
    assert (served(portal)["id"], served(portal)["rowIdentifierColumnId"]) == (DATASET, 3001)


def test_columns_sent_back_unchanged_are_ignored(portal, view):
    answer = put(portal, {"columns": view["columns"], "description": "Same columns."})
    assert answer.status_code == 200
    assert served(portal)["columns"] == view["columns"]


def test_an_added_column_is_refused_and_names_the_dataset_management_api(portal, view):
    answer = put(portal, {"columns": [*view["columns"], {"fieldName": "beat"}]})
    assert answer.status_code == 400
    assert "Dataset Management API" in answer.json()["message"]


def test_a_retyped_column_is_refused(portal, view):
    retyped = [view["columns"][0], {**view["columns"][1], "dataTypeName": "text"}]
    assert put(portal, {"columns": retyped}).status_code == 400


def test_a_refused_put_changes_nothing(portal, view):
    put(portal, {"description": "Changed?", "columns": []})
    assert served(portal)["description"] == "All calls."


def test_a_put_needs_the_credentials(guarded_portal):
    seed_view(guarded_portal, DATASET, VIEW)
    answer = put(guarded_portal, {"description": "x"})
    assert answer.status_code == 401
