"""View metadata (`/api/views`) and the catalog (`/api/catalog/v1`), through sodapy."""

from __future__ import annotations

import time

import pytest
import requests

from orchestration.socrata.client import SocrataClient
from tests.portal.conftest import CFS_ID
from tooling.local_portal.server import serve_in_thread


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
    assert view["metadata"]["rowIdentifier"] == "nopd_item"
    assert view["rowIdentifierColumnId"] == view["columns"][0]["id"]
    assert view["metadata"]["custom_fields"] == {"Lineage": {"source": "OPCD CAD"}}
    assert isinstance(view["rowsUpdatedAt"], int)


def test_a_metadata_update_merges_into_the_view(client):
    answer = client.update_metadata(
        CFS_ID,
        {
            "description": "Now with lineage.",
            "columns": [{"fieldName": "mapx", "description": "State plane X"}],
            "metadata": {"custom_fields": {"Lineage": {"model": "int_calls"}}},
        },
    )
    view = client.get_metadata(CFS_ID)
    assert answer == view
    assert view["description"] == "Now with lineage."
    assert view["name"] == "Calls for Service 2022"
    assert view["columns"][3]["description"] == "State plane X"
    assert view["metadata"]["custom_fields"]["Lineage"] == {
        "source": "OPCD CAD",
        "model": "int_calls",
    }


def test_a_new_column_can_be_written_once_the_view_names_it(client):
    client.update_metadata(CFS_ID, {"columns": [{"fieldName": "beat", "name": "Beat"}]})
    client.upsert(CFS_ID, [{"nopd_item": "A0001-22", "beat": "7L03"}])
    assert client.get(CFS_ID, select="beat", where="beat is not null") == [{"beat": "7L03"}]


def test_a_metadata_update_for_a_new_id_creates_the_dataset(client):
    view = client.update_metadata(
        "new1-data",
        {
            "name": "Response times",
            "columns": [{"fieldName": "day", "dataTypeName": "calendar_date"}],
            "metadata": {"rowIdentifier": "day"},
        },
    )
    assert view["id"] == "new1-data"
    assert view["metadata"]["rowIdentifier"] == "day"
    assert client.get("new1-data") == []
    assert client.upsert("new1-data", [{"day": "2022-01-01"}])["Rows Created"] == 1
    assert client.get("new1-data") == [{"day": "2022-01-01T00:00:00.000"}]


def test_sodapy_create_makes_a_dataset_with_a_generated_id(client):
    view = client.create(
        "Scratch",
        columns=[{"fieldName": "k", "name": "K", "dataTypeName": "text"}],
        row_identifier="k",
    )
    assert len(view["id"]) == 9
    assert view["id"][4] == "-"
    assert client.get_metadata(view["id"])["metadata"]["rowIdentifier"] == "k"
    assert client.publish(view["id"])["id"] == view["id"]


def test_a_row_identifier_with_repeated_values_is_refused(client):
    with pytest.raises(requests.HTTPError, match="type_ cannot identify rows"):
        client.update_metadata(CFS_ID, {"metadata": {"rowIdentifier": "type_"}})
    assert client.get_metadata(CFS_ID)["metadata"]["rowIdentifier"] == "nopd_item"


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


def test_the_catalog_lists_every_dataset_for_sodapy(client):
    client.update_metadata("zzzz-0001", {"name": "Another", "columns": [{"fieldName": "a"}]})
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
        client.update_metadata(f"page-000{number}", {"name": f"Page {number}"})
    assert [e["resource"]["id"] for e in client.datasets(limit=2, offset=1)] == [
        "page-0000",
        "page-0001",
    ]
    found = requests.get(f"{portal.url}/api/catalog/v1", params={"q": "page 2"}, timeout=5).json()
    assert (found["resultSetSize"], found["results"][0]["resource"]["id"]) == (1, "page-0002")
    assert client.datasets(ids=[CFS_ID], only=["dataset"])[0]["resource"]["id"] == CFS_ID


def test_an_uploaded_file_is_served_as_a_dataset_attachment(tmp_path):
    with (
        serve_in_thread(tmp_path, username="publisher", password="pw") as portal,
        SocrataClient(f"{portal.host}:{portal.port}", username="publisher", password="pw") as c,
    ):
        c.put_view("abcd-1234", {"name": "A dataset", "columns": []})
        asset_id = c.upload_attachment("lineage.json", b'{"a": 1}', "application/json")
        answer = requests.get(portal.url + c.attachment_url("abcd-1234", asset_id), timeout=5)
        assert answer.status_code == 200
        assert answer.headers["Content-Type"].startswith("application/json")
        assert answer.json() == {"a": 1}


def test_uploading_a_file_needs_the_publisher_credentials(tmp_path):
    with serve_in_thread(tmp_path, username="publisher", password="pw") as portal:
        answer = requests.post(
            f"{portal.url}/api/assets", files={"file": ("x.txt", b"x", "text/plain")}, timeout=5
        )
        assert answer.status_code == 401
