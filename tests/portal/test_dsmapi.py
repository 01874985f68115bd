"""The Dataset Management API's revision flow: create datasets, reshape them, attach files.

../shared/socrata/docs/publishers_dsmapi.md ("you cannot update a dataset via this API
without routing through a revision") and docs/apis_publishing.json (its endpoints, their
statuses, and the Revision, Source, InputSchema, OutputSchema and TaskSet resources). Each
test names the part it follows.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
import requests

from tests.portal.conftest import PUBLISHER, seed_view, socrata_client

V1 = "/api/publishing/v1"
CSV = "Item,Count,When\nA1,1,2022-01-01\nA2,2,2022-01-02T03:04:05\n"
COLUMNS = [
    {"field_name": "item", "transform": "to_text", "is_primary_key": True},
    {"field_name": "count", "transform": "to_number"},
    {"field_name": "when", "transform": "to_floating_timestamp"},
]
EXISTING = "exst-0001"
EXISTING_VIEW = {
    "name": "Calls",
    "description": "All calls.",
    "columns": [
        {"id": 6001, "fieldName": "item", "dataTypeName": "text", "format": {"align": "left"}},
        {"id": 6002, "fieldName": "count", "dataTypeName": "text"},
        {"id": 6003, "fieldName": "gone", "dataTypeName": "text"},
    ],
    "rowIdentifierColumnId": 6001,
    "metadata": {
        "custom_fields": {"Lineage": {"source": "CAD"}},
        "attachments": [{"assetId": "staff-0001", "filename": "dict.pdf", "name": "Dictionary"}],
    },
}


def call(portal, method: str, path: str, **kwargs: Any) -> requests.Response:
    return requests.request(method, f"{portal.url}{path}", timeout=5, **kwargs)


def open_new(portal, metadata=None, action="update") -> dict:
    body = {"metadata": metadata or {"name": "Calls"}, "action": {"type": action}}
    answer = call(portal, "POST", f"{V1}/revision", json=body)
    assert answer.status_code == 201, answer.text
    return answer.json()["resource"]


def open_on(portal, dataset_id, action="update", **body) -> dict:
    answer = call(
        portal, "POST", f"{V1}/revision/{dataset_id}", json={"action": {"type": action}, **body}
    )
    assert answer.status_code == 201, answer.text
    return answer.json()["resource"]


def revision_path(revision) -> str:
    return f"{V1}/revision/{revision['fourfour']}/{revision['revision_seq']}"


def show(portal, revision) -> dict:
    return call(portal, "GET", revision_path(revision)).json()["resource"]


def uploaded(portal, revision, csv_text=CSV) -> dict:
    """A source of the revision holding `csv_text`, as the upload answers it."""
    body = {"source_type": {"type": "upload", "filename": "calls.csv"}}
    source = call(portal, "POST", f"{revision_path(revision)}/source", json=body).json()
    headers = {"Content-Type": "text/csv"}
    answer = call(portal, "POST", source["links"]["bytes"], data=csv_text, headers=headers)
    assert answer.status_code == 201, answer.text
    return answer.json()["resource"]


def output_columns(columns) -> list[dict]:
    return [
        {
            "field_name": spec["field_name"],
            "display_name": spec["field_name"].title(),
            "position": position,
            "description": f"The {spec['field_name']}.",
            "is_primary_key": spec.get("is_primary_key", False),
            "transform": {"transform_expr": f"{spec['transform']}(`{spec['field_name']}`)"},
        }
        for position, spec in enumerate(columns, start=1)
    ]


def schema_answer(portal, source, columns) -> requests.Response:
    input_schema = source["schemas"][0]["id"]
    path = f"{V1}/source/{source['id']}/schema/{input_schema}"
    return call(portal, "POST", path, json={"output_columns": output_columns(columns)})


def output_schema(portal, source, columns=COLUMNS) -> dict:
    answer = schema_answer(portal, source, columns)
    assert answer.status_code == 201, answer.text
    return answer.json()["resource"]


def apply(portal, revision, **body) -> dict:
    answer = call(portal, "PUT", f"{revision_path(revision)}/apply", json=body)
    assert answer.status_code == 200, answer.text
    return answer.json()["resource"]


def created(portal, csv_text=CSV, columns=COLUMNS) -> str:
    """A dataset created by the whole flow: revision, source, upload, schema, apply."""
    revision = open_new(portal)
    schema = output_schema(portal, uploaded(portal, revision, csv_text), columns)
    assert apply(portal, revision, output_schema_id=schema["id"])["status"] == "successful"
    return revision["fourfour"]


def view_of(portal, dataset_id) -> dict:
    return call(portal, "GET", f"/api/views/{dataset_id}.json").json()


def attach(portal, revision, name="lineage.json", content=b'{"a": 1}') -> dict:
    headers = {"X-File-Name": name, "Content-Type": "application/json"}
    answer = call(
        portal, "POST", f"{revision_path(revision)}/attachment", data=content, headers=headers
    )
    assert answer.status_code == 201, answer.text
    return answer.json()


@pytest.fixture
def existing(portal):
    seed_view(portal, EXISTING, EXISTING_VIEW)
    with socrata_client(portal) as client:
        client.upsert(EXISTING, [{"item": "B1", "count": "7", "gone": "x"}])
    return EXISTING


# Revisions -------------------------------------------------------------------------------


def test_a_revision_for_a_new_asset_is_created_with_201_and_seq_0(portal):
    # apis_publishing.json: "Create a Revision for a new Asset" answers 201; step 5 of the
    # example: revision_seq "will always be 0 for the first publication"
    revision = open_new(portal)
    assert revision["revision_seq"] == 0


def test_a_new_asset_gets_a_fresh_random_id(portal):
    # apis_publishing.json example, step 1: "Creating a new revision will return the 4x4"
    ids = {open_new(portal)["fourfour"] for _ in range(3)}
    assert len(ids) == 3
    assert all(re.fullmatch(r"[a-z0-9]{4}-[a-z0-9]{4}", fourfour) for fourfour in ids)


def test_a_revision_has_the_revision_resources_fields(portal):
    # apis_publishing.json components.schemas.Revision
    revision = open_new(portal, metadata={"name": "Calls", "description": "All."})
    assert revision["metadata"] == {"name": "Calls", "description": "All."}
    assert (revision["attachments"], revision["task_sets"]) == ([], [])
    assert (revision["output_schema_id"], revision["blob_id"], revision["closed_at"]) == (None,) * 3
    assert revision["action"] == {"type": "update", "permission": "public"}


def test_a_revision_answer_links_its_source_and_apply_endpoints(portal):
    # apis_publishing.json example: links['create_source'], links['apply']
    answer = call(
        portal,
        "POST",
        f"{V1}/revision",
        json={"metadata": {"name": "C"}, "action": {"type": "update"}},
    )
    links = answer.json()["links"]
    fourfour = answer.json()["resource"]["fourfour"]
    assert links["create_source"] == f"{V1}/revision/{fourfour}/0/source"
    assert links["apply"] == f"{V1}/revision/{fourfour}/0/apply"


def test_a_new_asset_needs_a_name(portal):
    # apis_publishing.json example, step 1: `metadata = { 'name': dataset_name }` "Minimum
    # required metadata"
    answer = call(
        portal, "POST", f"{V1}/revision", json={"metadata": {}, "action": {"type": "update"}}
    )
    assert answer.status_code == 400


def test_a_new_asset_is_nowhere_until_its_revision_is_applied(portal):
    # the contract: views, rows, the Metadata API and the catalog do not know it yet
    fourfour = open_new(portal)["fourfour"]
    paths = [
        f"/api/views/{fourfour}.json",
        f"/resource/{fourfour}.json",
        f"/api/views/metadata/v1/{fourfour}",
    ]
    assert [call(portal, "GET", path).status_code for path in paths] == [404, 404, 404]
    catalog = call(portal, "GET", "/api/catalog/v1").json()["results"]
    assert fourfour not in [entry["resource"]["id"] for entry in catalog]


def test_a_revision_can_be_shown(portal):
    # apis_publishing.json: "Show a Revision"
    revision = open_new(portal)
    assert show(portal, revision)["id"] == revision["id"]


def test_a_revision_on_an_unknown_dataset_is_a_404(portal):
    # apis_publishing.json: "Create a new Revision on an existing Asset"
    answer = call(portal, "POST", f"{V1}/revision/zzzz-0000", json={"action": {"type": "update"}})
    assert answer.status_code == 404


def test_revisions_on_a_dataset_count_their_seq_from_the_previous(portal, existing):
    # components.schemas.Revision: revision_seq "increased by 1 on each new revision"
    first, second = open_on(portal, existing), open_on(portal, existing)
    assert second["revision_seq"] == first["revision_seq"] + 1


def test_a_revision_starts_with_the_views_attachments_under_dsmapi_names(portal, existing):
    # components.schemas.Revision.attachments: filename, asset_id, name
    revision = open_on(portal, existing)
    assert revision["attachments"] == [
        {"asset_id": "staff-0001", "filename": "dict.pdf", "name": "Dictionary"}
    ]


def test_an_update_merges_pending_metadata_key_by_key_and_answers_202(portal):
    # apis_publishing.json "Update a Revision" (PUT and PATCH) answers 202
    revision = open_new(portal, metadata={"name": "Calls", "description": "All."})
    answer = call(
        portal, "PATCH", revision_path(revision), json={"metadata": {"category": "Safety"}}
    )
    assert answer.status_code == 202
    assert answer.json()["resource"]["metadata"] == {
        "name": "Calls",
        "description": "All.",
        "category": "Safety",
    }


def test_an_update_replaces_the_pending_attachments(portal, existing):
    revision = open_on(portal, existing)
    file_id = attach(portal, revision)["file_id"]
    listed = [{"asset_id": file_id, "filename": "lineage.json", "name": "Lineage"}]
    answer = call(portal, "PUT", revision_path(revision), json={"attachments": listed})
    assert answer.json()["resource"]["attachments"] == listed


def test_an_attachment_naming_no_uploaded_file_is_refused(portal, existing):
    revision = open_on(portal, existing)
    listed = [{"asset_id": "6ed2f73d-961f-4200-830e-9fed494e9515", "filename": "x", "name": "x"}]
    assert (
        call(portal, "PUT", revision_path(revision), json={"attachments": listed}).status_code
        == 400
    )


def test_an_output_schema_of_another_revision_is_refused(portal):
    first, second = open_new(portal), open_new(portal)
    schema = output_schema(portal, uploaded(portal, first))
    answer = call(portal, "PUT", revision_path(second), json={"output_schema_id": schema["id"]})
    assert answer.status_code == 400


def test_a_discarded_revision_is_closed_and_answers_201(portal, existing):
    # apis_publishing.json "Discard a Revision": 201, "Close the revision without modifying
    # the view"
    revision = open_on(portal, existing, metadata={"name": "Discarded"})
    answer = call(portal, "DELETE", revision_path(revision))
    assert answer.status_code == 201
    assert answer.json()["resource"]["closed_at"] is not None
    assert view_of(portal, existing)["name"] == "Calls"


def test_a_discarded_revision_cannot_be_applied(portal, existing):
    # "Discard a Revision": "This prevents the revision from being applied"
    revision = open_on(portal, existing)
    call(portal, "DELETE", revision_path(revision))
    assert call(portal, "PUT", f"{revision_path(revision)}/apply", json={}).status_code == 400


def test_a_closed_revision_cannot_be_updated(portal, existing):
    revision = open_on(portal, existing)
    apply(portal, revision)
    answer = call(portal, "PUT", revision_path(revision), json={"metadata": {"name": "Late"}})
    assert answer.status_code == 400


# Sources and schemas ---------------------------------------------------------------------


def test_a_source_is_created_empty_with_201(portal):
    # apis_publishing.json "Create a Source" (201); components.schemas.Source
    body = {"source_type": {"type": "upload", "filename": "calls.csv"}}
    answer = call(portal, "POST", f"{revision_path(open_new(portal))}/source", json=body)
    assert answer.status_code == 201
    source = answer.json()["resource"]
    assert (source["schemas"], source["finished_at"], source["failed_at"]) == ([], None, None)


def test_an_uploaded_csv_gives_input_columns_named_as_socrata_derives_field_names(portal):
    # apis_publishing.json "Upload file contents"; field names as a CSV header becomes them
    source = uploaded(portal, open_new(portal), "Item ID,TimeCreate\nA1,2022-01-01\n")
    columns = source["schemas"][0]["input_columns"]
    assert [(c["field_name"], c["display_name"]) for c in columns] == [
        ("item_id", "Item ID"),
        ("timecreate", "TimeCreate"),
    ]


def test_an_upload_gives_an_output_schema_of_every_column_as_text(portal):
    source = uploaded(portal, open_new(portal))
    columns = source["schemas"][0]["output_schemas"][0]["output_columns"]
    assert columns[0]["transform"] == {
        "transform_expr": "`item`",
        "output_soql_type": "text",
    }
    assert {c["transform"]["output_soql_type"] for c in columns} == {"text"}


def test_an_upload_counts_the_source_rows(portal):
    source = uploaded(portal, open_new(portal))
    assert source["schemas"][0]["output_schemas"][0]["total_rows"] == 2
    assert source["finished_at"] is not None


def test_an_upload_that_is_not_csv_is_refused(portal):
    body = {"source_type": {"type": "upload", "filename": "calls.csv"}}
    source = call(portal, "POST", f"{revision_path(open_new(portal))}/source", json=body).json()
    answer = call(
        portal,
        "POST",
        source["links"]["bytes"],
        data=b"{}",
        headers={"Content-Type": "application/json"},
    )
    assert answer.status_code == 400


def test_an_upload_without_a_header_row_is_refused(portal):
    body = {"source_type": {"type": "upload", "filename": "calls.csv"}}
    source = call(portal, "POST", f"{revision_path(open_new(portal))}/source", json=body).json()
    answer = call(
        portal, "POST", source["links"]["bytes"], data=b"", headers={"Content-Type": "text/csv"}
    )
    assert answer.status_code == 400


def test_an_output_schema_types_each_column_by_its_transform(portal):
    # apis_publishing.json "Create a new schema": to_number -> number, ... (the signatures)
    schema = output_schema(portal, uploaded(portal, open_new(portal)))
    types = {c["field_name"]: c["transform"]["output_soql_type"] for c in schema["output_columns"]}
    assert types == {"item": "text", "count": "number", "when": "calendar_date"}


@pytest.mark.parametrize(
    ("transform", "data_type"),
    [
        ("to_text", "text"),
        ("to_point", "point"),
        ("to_location", "location"),
        ("to_boolean", "checkbox"),
    ],
)
def test_each_supported_transform_gives_its_socrata_type(portal, transform, data_type):
    # apis_publishing.json "Create a new schema": each function's signature
    schema = output_schema(
        portal,
        uploaded(portal, open_new(portal), "v\n\n"),
        [{"field_name": "v", "transform": transform}],
    )
    assert schema["output_columns"][0]["transform"]["output_soql_type"] == data_type


def test_an_unsupported_transform_is_refused_naming_it(portal):
    source = uploaded(portal, open_new(portal))
    answer = schema_answer(portal, source, [{"field_name": "item", "transform": "upper"}])
    assert answer.status_code == 400
    assert "upper(`item`)" in answer.json()["message"]


def test_a_transform_of_no_input_column_is_refused(portal):
    source = uploaded(portal, open_new(portal))
    columns = [{"field_name": "item", "transform": "to_text"}]
    body = output_columns(columns)
    body[0]["transform"]["transform_expr"] = "to_text(`nope`)"
    path = f"{V1}/source/{source['id']}/schema/{source['schemas'][0]['id']}"
    assert call(portal, "POST", path, json={"output_columns": body}).status_code == 400


def test_two_primary_keys_are_refused(portal):
    source = uploaded(portal, open_new(portal))
    columns = [{**spec, "is_primary_key": True} for spec in COLUMNS]
    assert schema_answer(portal, source, columns).status_code == 400


def test_an_invalid_output_field_name_is_refused(portal):
    source = uploaded(portal, open_new(portal))
    body = output_columns(COLUMNS)
    body[0]["field_name"] = "Item ID"
    path = f"{V1}/source/{source['id']}/schema/{source['schemas'][0]['id']}"
    assert call(portal, "POST", path, json={"output_columns": body}).status_code == 400


def test_a_repeated_output_field_name_is_refused(portal):
    source = uploaded(portal, open_new(portal))
    columns = [COLUMNS[0], {"field_name": "item", "transform": "to_number"}]
    assert schema_answer(portal, source, columns).status_code == 400


def test_a_new_output_schema_becomes_the_revisions(portal):
    # "Create a new schema": increment_revision "Defaults to true": the revision's
    # output_schema_id becomes this one
    revision = open_new(portal)
    schema = output_schema(portal, uploaded(portal, revision))
    assert show(portal, revision)["output_schema_id"] == schema["id"]


def test_rows_a_transform_cannot_convert_are_counted_as_errors(portal):
    # components.schemas.OutputSchema: error_count "Number of errors in this schema"
    source = uploaded(portal, open_new(portal), "Item,Count,When\nA1,many,2022-01-01\n")
    assert output_schema(portal, source)["error_count"] == 1


# Applying --------------------------------------------------------------------------------


def test_apply_answers_a_successful_task_set(portal):
    # apis_publishing.json "Apply a Revision": 200, a TaskSet (status ... successful)
    revision = open_new(portal)
    output_schema(portal, uploaded(portal, revision))
    task = apply(portal, revision)
    assert task["status"] == "successful"
    assert task["finished_at"] is not None


def test_apply_closes_the_revision_and_lists_its_task_set(portal):
    # components.schemas.Revision: closed_at "When this revision was applied"; task_sets
    revision = open_new(portal)
    task = apply(portal, revision)
    shown = show(portal, revision)
    assert shown["closed_at"] is not None
    assert shown["task_sets"] == [task]


def test_a_closed_revision_cannot_be_applied_again(portal):
    revision = open_new(portal)
    apply(portal, revision)
    assert call(portal, "PUT", f"{revision_path(revision)}/apply", json={}).status_code == 400


def test_applying_creates_the_dataset_with_exactly_the_schemas_columns(portal):
    view = view_of(portal, created(portal))
    assert [
        (c["fieldName"], c["name"], c["dataTypeName"], c["description"]) for c in view["columns"]
    ] == [
        ("item", "Item", "text", "The item."),
        ("count", "Count", "number", "The count."),
        ("when", "When", "calendar_date", "The when."),
    ]


def test_applying_gives_the_new_columns_numeric_ids(portal):
    view = view_of(portal, created(portal))
    ids = [column["id"] for column in view["columns"]]
    assert all(isinstance(column_id, int) for column_id in ids)
    assert len(set(ids)) == 3


def test_the_primary_key_column_becomes_the_row_identifier_column_id(portal):
    # recorded view: rowIdentifierColumnId, a column id
    view = view_of(portal, created(portal))
    assert view["rowIdentifierColumnId"] == view["columns"][0]["id"]
    assert view["metadata"]["rowIdentifier"] == view["columns"][0]["id"]


def test_applying_loads_the_sources_rows_typed(portal):
    dataset_id = created(portal)
    with socrata_client(portal) as client:
        assert client.get(dataset_id, order="item") == [
            {"item": "A1", "count": "1", "when": "2022-01-01T00:00:00.000"},
            {"item": "A2", "count": "2", "when": "2022-01-02T03:04:05.000"},
        ]


def test_a_header_only_upload_creates_an_empty_dataset(portal):
    dataset_id = created(portal, "Item,Count,When\n")
    with socrata_client(portal) as client:
        assert client.get(dataset_id) == []


def test_applying_writes_the_pending_metadata_into_the_view(portal):
    revision = open_new(portal, metadata={"name": "Calls", "description": "All.", "tags": ["a"]})
    apply(portal, revision)
    view = view_of(portal, revision["fourfour"])
    assert (view["name"], view["description"], view["tags"]) == ("Calls", "All.", ["a"])


def test_an_applied_dataset_is_in_the_catalog(portal):
    dataset_id = created(portal)
    catalog = call(portal, "GET", "/api/catalog/v1").json()["results"]
    assert dataset_id in [entry["resource"]["id"] for entry in catalog]


def test_a_revision_without_output_schema_leaves_columns_and_rows_alone(portal, existing):
    before = view_of(portal, existing)
    apply(portal, open_on(portal, existing, metadata={"description": "Some calls."}))
    after = view_of(portal, existing)
    assert (after["columns"], after["description"]) == (before["columns"], "Some calls.")


def test_a_metadata_revision_keeps_the_other_view_keys(portal, existing):
    apply(portal, open_on(portal, existing, metadata={"description": "Some calls."}))
    assert view_of(portal, existing)["metadata"]["custom_fields"] == {"Lineage": {"source": "CAD"}}


def test_a_schema_applied_to_a_dataset_adds_retypes_and_drops_columns(portal, existing):
    revision = open_on(portal, existing)
    apply(
        portal, revision, output_schema_id=output_schema(portal, uploaded(portal, revision))["id"]
    )
    view = view_of(portal, existing)
    assert [(c["fieldName"], c["dataTypeName"]) for c in view["columns"]] == [
        ("item", "text"),
        ("count", "number"),
        ("when", "calendar_date"),
    ]


def test_a_column_kept_by_a_schema_keeps_its_id_and_other_keys(portal, existing):
    revision = open_on(portal, existing)
    apply(
        portal, revision, output_schema_id=output_schema(portal, uploaded(portal, revision))["id"]
    )
    item = view_of(portal, existing)["columns"][0]
    assert (item["id"], item["format"]) == (6001, {"align": "left"})


def test_a_dropped_column_is_gone_from_the_rows(portal, existing):
    revision = open_on(portal, existing)
    apply(
        portal, revision, output_schema_id=output_schema(portal, uploaded(portal, revision))["id"]
    )
    with socrata_client(portal) as client:
        assert "gone" not in client.get(existing, where="item = 'B1'")[0]


def retyped(portal, stored: str, transform: str) -> dict:
    """Seed a dataset whose text column `v` holds `stored`, apply a schema typing it by
    `transform`; the task set."""
    seed_view(portal, "retp-0001", {"columns": [{"id": 9, "fieldName": "v"}]})
    with socrata_client(portal) as client:
        client.upsert("retp-0001", [{"v": stored}])
    revision = open_on(portal, "retp-0001")
    schema = output_schema(
        portal, uploaded(portal, revision, "v\n"), [{"field_name": "v", "transform": transform}]
    )
    return apply(portal, revision, output_schema_id=schema["id"])


def test_a_retyped_column_keeps_stored_values_that_fit_the_new_type(portal):
    assert retyped(portal, "7", "to_number")["status"] == "successful"
    with socrata_client(portal) as client:
        assert client.get("retp-0001") == [{"v": "7"}]


def test_a_column_retyped_to_calendar_date_stores_socratas_floating_timestamps(portal):
    # docs/docs_datatypes_floating_timestamp.md: 2014-10-13T00:00:00.000
    retyped(portal, "2022-01-01", "to_floating_timestamp")
    with socrata_client(portal) as client:
        assert client.get("retp-0001") == [{"v": "2022-01-01T00:00:00.000"}]


def test_a_retype_the_stored_values_do_not_fit_fails_the_apply(portal):
    # components.schemas.TaskSet: status "failure"; nothing applied
    task = retyped(portal, "north", "to_number")
    assert task["status"] == "failure"
    assert view_of(portal, "retp-0001")["columns"][0]["dataTypeName"] == "text"


def test_an_update_revision_upserts_the_sources_rows(portal, existing):
    # components.schemas.Revision.action.type: "update" (socrata-py: "This is an upsert")
    revision = open_on(portal, existing, action="update")
    apply(
        portal, revision, output_schema_id=output_schema(portal, uploaded(portal, revision))["id"]
    )
    with socrata_client(portal) as client:
        assert [row["item"] for row in client.get(existing, order="item")] == ["A1", "A2", "B1"]


def test_a_replace_revision_replaces_the_rows(portal, existing):
    # components.schemas.Revision.action.type: "replace"
    revision = open_on(portal, existing, action="replace")
    apply(
        portal, revision, output_schema_id=output_schema(portal, uploaded(portal, revision))["id"]
    )
    with socrata_client(portal) as client:
        assert [row["item"] for row in client.get(existing, order="item")] == ["A1", "A2"]


def test_a_primary_key_that_cannot_identify_the_rows_fails_the_apply(portal, existing):
    # components.schemas.TaskSet: status "failure"; the revision stays open, nothing applied
    with socrata_client(portal) as client:
        client.upsert(EXISTING, [{"item": "B2", "count": "7"}])
    revision = open_on(portal, existing)
    columns = [
        {"field_name": "item", "transform": "to_text"},
        {"field_name": "count", "transform": "to_text", "is_primary_key": True},
    ]
    schema = output_schema(portal, uploaded(portal, revision, "Item,Count\n"), columns)
    task = apply(portal, revision, output_schema_id=schema["id"])
    assert task["status"] == "failure"
    assert "count cannot identify rows" in task["log"][-1]["details"]["message"]
    assert show(portal, revision)["closed_at"] is None
    assert view_of(portal, existing)["rowIdentifierColumnId"] == 6001


def test_applied_columns_and_attachments_survive_a_restart(cfs_dir, start_portal):
    first = start_portal(cfs_dir)
    revision = open_new(first)
    file_id = attach(first, revision)["file_id"]
    listed = [{"asset_id": file_id, "filename": "lineage.json", "name": "Lineage"}]
    call(first, "PUT", revision_path(revision), json={"attachments": listed})
    schema = output_schema(first, uploaded(first, revision))
    apply(first, revision, output_schema_id=schema["id"])
    before = view_of(first, revision["fourfour"])
    first.stop()
    second = start_portal(cfs_dir)
    assert view_of(second, revision["fourfour"]) == before
    assert call(second, "GET", f"/api/views/{revision['fourfour']}/files/{file_id}").json() == {
        "a": 1
    }


# Attachments -----------------------------------------------------------------------------


def test_an_attachment_upload_answers_201_with_a_uuid_file_id(portal, existing):
    # recorded view: asset ids are UUIDs ("6ed2f73d-961f-4200-830e-9fed494e9515")
    uploaded_file = attach(portal, open_on(portal, existing), name="lineage.json")
    assert uploaded_file["filename"] == "lineage.json"
    assert re.fullmatch(r"[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}", uploaded_file["file_id"])


def test_an_attachment_upload_needs_a_file_name(portal, existing):
    path = f"{revision_path(open_on(portal, existing))}/attachment"
    assert call(portal, "POST", path, data=b"x").status_code == 400


def test_an_applied_attachment_is_listed_in_the_view_under_the_views_names(portal, existing):
    # recorded view: metadata.attachments items are {"filename", "assetId", "name"}
    revision = open_on(portal, existing)
    file_id = attach(portal, revision)["file_id"]
    kept = revision["attachments"]
    listed = [*kept, {"asset_id": file_id, "filename": "lineage.json", "name": "Lineage"}]
    call(portal, "PUT", revision_path(revision), json={"attachments": listed})
    apply(portal, revision)
    assert view_of(portal, existing)["metadata"]["attachments"] == [
        {"assetId": "staff-0001", "filename": "dict.pdf", "name": "Dictionary"},
        {"assetId": file_id, "filename": "lineage.json", "name": "Lineage"},
    ]


def test_an_applied_attachment_is_downloadable_as_uploaded(portal, existing):
    # recorded/test_get_metadata_and_attachments.yaml: GET /api/views/<id>/files/<asset id>
    # ?download=true&filename=...
    revision = open_on(portal, existing)
    file_id = attach(portal, revision)["file_id"]
    listed = [{"asset_id": file_id, "filename": "lineage.json", "name": "Lineage"}]
    call(portal, "PUT", revision_path(revision), json={"attachments": listed})
    apply(portal, revision)
    params = {"download": "true", "filename": "lineage.json"}
    answer = call(portal, "GET", f"/api/views/{existing}/files/{file_id}", params=params)
    assert answer.headers["Content-Type"] == "application/json"
    assert answer.headers["Content-Disposition"] == "attachment; filename=lineage.json"
    assert answer.json() == {"a": 1}


def test_an_attachment_is_not_downloadable_before_its_revision_is_applied(portal, existing):
    revision = open_on(portal, existing)
    file_id = attach(portal, revision)["file_id"]
    listed = [{"asset_id": file_id, "filename": "lineage.json", "name": "Lineage"}]
    call(portal, "PUT", revision_path(revision), json={"attachments": listed})
    assert call(portal, "GET", f"/api/views/{existing}/files/{file_id}").status_code == 404


def test_an_attachment_left_out_of_the_list_is_not_downloadable(portal, existing):
    revision = open_on(portal, existing)
    file_id = attach(portal, revision)["file_id"]
    apply(portal, revision)
    assert call(portal, "GET", f"/api/views/{existing}/files/{file_id}").status_code == 404


def test_an_attachment_dropped_from_the_list_leaves_the_view(portal, existing):
    revision = open_on(portal, existing)
    call(portal, "PUT", revision_path(revision), json={"attachments": []})
    apply(portal, revision)
    assert view_of(portal, existing)["metadata"]["attachments"] == []


# Credentials -----------------------------------------------------------------------------


def test_dataset_management_writes_need_the_credentials(guarded_portal):
    # docs/publishers_dsmapi.md: "all operations that modify datasets must be authenticated"
    body = {"metadata": {"name": "Calls"}, "action": {"type": "update"}}
    refused = call(guarded_portal, "POST", f"{V1}/revision", json=body)
    allowed = call(guarded_portal, "POST", f"{V1}/revision", json=body, auth=PUBLISHER)
    assert (refused.status_code, allowed.status_code) == (401, 201)
