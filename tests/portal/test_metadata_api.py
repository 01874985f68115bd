"""Metadata API v1 (`/api/views/metadata/v1/<id>`): read, merge by PATCH, validate only.

Every test follows ../shared/socrata/docs/apis_metadata.json (its `info.description`); the
section each one checks is named in it.
"""

from __future__ import annotations

import json
import re
import time

import pytest
import requests

from tests.portal.conftest import (
    PUBLISHER,
    RECORDED_VIEW_ID,
    recorded_exchanges,
    recorded_view,
    seed_view,
)

DATASET = "meta-0001"
VIEW = {
    "name": "Calls",
    "description": "All calls.",
    "attribution": "OPCD",
    "category": "Public Safety",
    "columns": [{"id": 5001, "fieldName": "nopd_item", "dataTypeName": "text"}],
    "rowIdentifierColumnId": 5001,
    "metadata": {
        "custom_fields": {
            "Agency Ownership": {"Department": "Police", "Contact": "Records"},
            "Update": {"Frequency": "Daily"},
        }
    },
}
FIELDS = {
    "id",
    "name",
    "description",
    "category",
    "tags",
    "license",
    "attribution",
    "attributionLink",
    "externalId",
    "customFields",
    "domain",
    "dataUri",
    "webUri",
    "createdAt",
    "updatedAt",
    "dataUpdatedAt",
    "metadataUpdatedAt",
    "provenance",
    "hideFromCatalog",
    "hideFromDataJson",
}


@pytest.fixture
def dataset(portal):
    seed_view(portal, DATASET, VIEW)
    return DATASET


def url(portal, dataset_id=DATASET):
    return f"{portal.url}/api/views/metadata/v1/{dataset_id}"


def read(portal):
    return requests.get(url(portal), timeout=5).json()


def patch(portal, fields, **params):
    return requests.patch(url(portal), json=fields, params=params, timeout=5)


def test_get_answers_every_available_field(portal, dataset):
    # "All available fields"
    assert set(read(portal)) == FIELDS


def test_blank_fields_are_null_not_omitted(portal, dataset):
    # "Additional Characteristics of Metadata": "Blank fields are included as null"
    metadata = read(portal)
    assert (metadata["tags"], metadata["license"], metadata["externalId"]) == (None, None, None)


def test_the_four_timestamps_are_iso_8601_with_an_offset(portal, dataset):
    # "Additional Characteristics of Metadata": `YYYY-MM-DDTHH:MM:SS±hh:mm`
    metadata = read(portal)
    stamps = [metadata[k] for k in ("createdAt", "updatedAt", "dataUpdatedAt", "metadataUpdatedAt")]
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d", s) for s in stamps)


def test_custom_fields_are_the_views_custom_fields(portal, dataset):
    # "Custom Fields": the named fieldsets of key-value pairs
    assert read(portal)["customFields"] == VIEW["metadata"]["custom_fields"]


def test_the_uris_name_the_resource_and_the_web_page(portal, dataset):
    # "All available fields": dataUri is the /resource/ endpoint
    metadata = read(portal)
    assert metadata["dataUri"] == f"{portal.url}/resource/{DATASET}"
    assert metadata["webUri"] == f"{portal.url}/d/{DATASET}"


def test_an_unknown_id_is_the_recorded_404(portal, shared_socrata):
    # recorded/test_get_metadata_and_attachments_missing.yaml: Socrata's body for an unknown id
    recorded = recorded_exchanges(shared_socrata, "test_get_metadata_and_attachments_missing.yaml")
    answer = requests.get(url(portal, "songs"), timeout=5)
    assert answer.status_code == 404
    assert answer.json() == json.loads(recorded[0]["body"])


def test_a_patch_answers_the_updated_metadata(portal, dataset):
    # "update metadata for a single asset": PATCH with a JSON body
    answer = patch(portal, {"description": "Some calls."})
    assert answer.status_code == 200
    assert answer.json() == read(portal)
    assert answer.json()["description"] == "Some calls."


def test_a_patch_changes_only_the_fields_sent(portal, dataset):
    patch(portal, {"description": "Some calls."})
    metadata = read(portal)
    assert (metadata["name"], metadata["attribution"]) == ("Calls", "OPCD")


def test_custom_fields_sent_merge_per_fieldset_and_field(portal, dataset):
    # "Examples: Updating metadata" (example1): one field of one fieldset
    patch(portal, {"customFields": {"Agency Ownership": {"Department": "NOPD"}}})
    assert read(portal)["customFields"] == {
        "Agency Ownership": {"Department": "NOPD", "Contact": "Records"},
        "Update": {"Frequency": "Daily"},
    }


def test_custom_fields_null_removes_every_fieldset(portal, dataset):
    # "Nullifying and removing custom fields": `customFields: null`
    patch(portal, {"customFields": None})
    assert read(portal)["customFields"] is None


def test_a_fieldset_null_removes_that_fieldset(portal, dataset):
    # "Nullifying and removing custom fields": `customFields: { "Agency Ownership": null }`
    patch(portal, {"customFields": {"Agency Ownership": None}})
    assert read(portal)["customFields"] == {"Update": {"Frequency": "Daily"}}


def test_a_field_null_clears_only_that_fields_value(portal, dataset):
    # "Nullifying and removing custom fields": `{"Agency Ownership": {"Department": null }}`
    patch(portal, {"customFields": {"Agency Ownership": {"Department": None}}})
    assert read(portal)["customFields"]["Agency Ownership"] == {
        "Department": None,
        "Contact": "Records",
    }


def test_the_view_shows_what_a_patch_changed(portal, dataset):
    # info.description: the API reads and updates the asset's own metadata
    patch(portal, {"attribution": "NOPD", "customFields": {"Update": {"Frequency": "Hourly"}}})
    view = requests.get(f"{portal.url}/api/views/{DATASET}.json", timeout=5).json()
    assert view["attribution"] == "NOPD"
    assert view["metadata"]["custom_fields"]["Update"] == {"Frequency": "Hourly"}


def test_a_patch_leaves_the_rest_of_a_real_view_alone(portal, shared_socrata):
    # recorded/test_get_metadata_and_attachments.yaml seeded; only the field sent changes
    real = recorded_view(shared_socrata)
    before = seed_view(portal, RECORDED_VIEW_ID, real)
    patch_url = url(portal, RECORDED_VIEW_ID)
    requests.patch(patch_url, json={"description": "Counts."}, timeout=5).raise_for_status()
    after = requests.get(f"{portal.url}/api/views/{RECORDED_VIEW_ID}.json", timeout=5).json()
    changed = {key for key in before if before[key] != after[key]}
    assert changed <= {"description", "viewLastModified"}
    assert after["description"] == "Counts."


def test_a_patch_moves_the_views_last_modified_time(portal, dataset):
    # the view's viewLastModified (the catalog shows it to the millisecond) moves on
    def modified() -> str:
        catalog = requests.get(f"{portal.url}/api/catalog/v1", params={"ids": DATASET}, timeout=5)
        return catalog.json()["results"][0]["resource"]["metadata_updated_at"]

    before = modified()
    time.sleep(0.002)
    patch(portal, {"description": "Later."})
    assert modified() > before


@pytest.mark.parametrize("field", ["id", "domain", "createdAt", "provenance", "hideFromCatalog"])
def test_a_read_only_field_sent_is_an_error(portal, dataset, field):
    # "The following fields will *always* be read-only" / "are currently read-only"
    answer = patch(portal, {field: "x"})
    assert answer.status_code == 400
    assert answer.json()["data"]["errors"][0]["field"] == field


def test_an_unknown_field_sent_is_an_error(portal, dataset):
    # "All available fields" lists every field there is
    assert patch(portal, {"rowIdentifier": "nopd_item"}).status_code == 400


def test_an_error_answers_socratas_error_body_with_every_error(portal, dataset):
    # docs/docs_response-codes.md "Error Messages": code, error, message, data
    body = patch(portal, {"id": "x", "name": ""}).json()
    assert (body["code"], body["error"], body["message"]) == (
        "invalid_request",
        True,
        body["data"]["errors"][0]["message"],
    )
    assert [error["field"] for error in body["data"]["errors"]] == ["id", "name"]


def test_a_patch_with_an_error_changes_nothing(portal, dataset):
    patch(portal, {"description": "Changed?", "id": "test-test"})
    assert read(portal)["description"] == "All calls."


def test_the_name_must_be_a_non_empty_string(portal, dataset):
    # "All available fields": name is a String, not nullable
    assert patch(portal, {"name": ""}).status_code == 400


def test_tags_must_be_a_list_of_strings(portal, dataset):
    # "All available fields": tags is an Array[String]
    assert patch(portal, {"tags": "police"}).status_code == 400


def test_validate_only_changes_nothing(portal, dataset):
    # PATCH parameter validateOnly: "not change the underlying asset"
    patch(portal, {"description": "Would be."}, validateOnly="true")
    assert read(portal)["description"] == "All calls."


def test_validate_only_answers_the_metadata_as_it_would_be(portal, dataset):
    # validateOnly: "The metadata as it would have been changed is returned"
    answer = patch(portal, {"description": "Would be."}, validateOnly="true", strict="true")
    assert answer.status_code == 200
    assert answer.json()["metadata"]["description"] == "Would be."
    assert (answer.json()["errors"], answer.json()["warnings"]) == ([], [])


def test_validate_only_lists_the_errors(portal, dataset):
    # validateOnly: "along with a list of errors and warnings"
    answer = patch(portal, {"id": "test-test"}, validateOnly="true")
    assert answer.status_code == 200
    assert answer.json()["errors"] == [{"field": "id", "message": "id is read-only"}]


def test_a_patch_to_an_unknown_id_is_a_404(portal):
    assert requests.patch(url(portal, "zzzz-0000"), json={}, timeout=5).status_code == 404


def test_a_patch_needs_the_credentials(guarded_portal):
    seed_view(guarded_portal, DATASET, VIEW)
    refused = patch(guarded_portal, {"description": "x"})
    allowed = requests.patch(
        url(guarded_portal), json={"description": "x"}, auth=PUBLISHER, timeout=5
    )
    assert (refused.status_code, allowed.status_code) == (401, 200)
