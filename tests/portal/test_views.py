"""The portal's own view inputs (CSV sidecars, `PortalStore.update_view`, seeds) and rendering.

These shapes are local, not Socrata's: a sidecar may name the row identifier by field name.
What they produce is Socrata's: numeric column ids and the row identifier as a column id
(../shared/socrata/recorded/test_get_metadata_and_attachments.yaml: `rowIdentifierColumnId`
and `metadata.rowIdentifier` are both the column id 562412106).
"""

from __future__ import annotations

import itertools

import pytest

from tooling.local_portal.errors import PortalError
from tooling.local_portal.views import (
    FIRST_COLUMN_ID,
    empty_view,
    merge_view,
    migrate_view,
    normalise_field_name,
    render_view,
    seed_view,
)

BASE = merge_view(
    empty_view("abcd-1234"),
    {
        "name": "Calls",
        "columns": [
            {"fieldName": "nopd_item", "name": "NOPD_Item"},
            {"fieldName": "mapx", "dataTypeName": "number"},
        ],
        "metadata": {"rowIdentifier": "nopd_item", "custom_fields": {"Lineage": {"a": "1"}}},
    },
)
ITEM_ID, MAPX_ID = FIRST_COLUMN_ID, FIRST_COLUMN_ID + 1


def render(view):
    return render_view("abcd-1234", view, created_at=0, rows_updated_at=0, view_last_modified=0)


def test_columns_get_numeric_ids_positions_and_text_as_default_type():
    assert BASE["columns"] == [
        {
            "id": ITEM_ID,
            "name": "NOPD_Item",
            "fieldName": "nopd_item",
            "dataTypeName": "text",
            "description": "",
            "position": 1,
        },
        {
            "id": MAPX_ID,
            "name": "mapx",
            "fieldName": "mapx",
            "dataTypeName": "number",
            "description": "",
            "position": 2,
        },
    ]


def test_new_column_ids_come_from_the_given_counter():
    merged = merge_view(BASE, {"columns": [{"fieldName": "beat"}]}, itertools.count(700).__next__)
    assert merged["columns"][2]["id"] == 700


def test_a_sidecar_row_identifier_field_name_is_kept_as_its_column_id():
    # recorded/test_get_metadata_and_attachments.yaml: metadata.rowIdentifier is the column id
    assert BASE["metadata"]["rowIdentifier"] == ITEM_ID


def test_the_rendered_view_names_the_row_identifier_column_id_twice():
    # recorded/test_get_metadata_and_attachments.yaml: rowIdentifierColumnId 562412106 and
    # metadata.rowIdentifier 562412106
    rendered = render(BASE)
    assert rendered["rowIdentifierColumnId"] == ITEM_ID
    assert rendered["metadata"]["rowIdentifier"] == ITEM_ID


def test_a_view_without_row_identifier_renders_neither_key():
    rendered = render(merge_view(BASE, {"metadata": {"rowIdentifier": None}}))
    assert "rowIdentifierColumnId" not in rendered
    assert "rowIdentifier" not in rendered["metadata"]


def test_a_local_columns_update_changes_named_columns_adds_new_ones_and_drops_none():
    merged = merge_view(
        BASE, {"columns": [{"fieldName": "mapx", "description": "X"}, {"fieldName": "beat"}]}
    )
    assert [column["fieldName"] for column in merged["columns"]] == ["nopd_item", "mapx", "beat"]
    assert merged["columns"][1]["description"] == "X"
    assert merged["columns"][1]["dataTypeName"] == "number"
    assert merged["columns"][2]["id"] == MAPX_ID + 1


def test_local_custom_fields_merge_per_section_and_other_keys_replace():
    merged = merge_view(
        BASE,
        {"description": "new", "metadata": {"custom_fields": {"Lineage": {"b": "2"}, "Q": {}}}},
    )
    assert merged["description"] == "new"
    assert merged["name"] == "Calls"
    assert merged["metadata"]["custom_fields"] == {"Lineage": {"a": "1", "b": "2"}, "Q": {}}
    assert merged["metadata"]["rowIdentifier"] == ITEM_ID


def test_a_local_row_identifier_may_be_given_by_column_id():
    merged = merge_view(BASE, {"metadata": {"rowIdentifier": MAPX_ID}})
    assert merged["metadata"]["rowIdentifier"] == MAPX_ID


def test_sidecars_may_give_row_identifier_and_custom_fields_at_the_top_level():
    merged = merge_view(BASE, {"rowIdentifier": "mapx", "custom_fields": {"S": {"k": "v"}}})
    assert merged["metadata"]["rowIdentifier"] == MAPX_ID
    assert merged["metadata"]["custom_fields"]["S"] == {"k": "v"}
    assert "rowIdentifier" not in merged


def test_read_only_keys_sent_back_are_ignored():
    merged = merge_view(BASE, {"id": "zzzz-9999", "rowsUpdatedAt": 1, "name": "Renamed"})
    assert "id" not in merged
    assert "rowsUpdatedAt" not in merged
    assert merged["name"] == "Renamed"


@pytest.mark.parametrize(
    "update",
    [
        ["not", "an", "object"],
        {"metadata": {"rowIdentifier": "nope"}},
        {"columns": [{"name": "no field name"}]},
        {"columns": [{"fieldName": "Bad Name"}]},
        {"columns": {"fieldName": "x"}},
        {"name": 7},
        {"metadata": {"custom_fields": {"Lineage": "flat"}}},
    ],
)
def test_invalid_local_updates_are_refused_with_400(update):
    with pytest.raises(PortalError) as refused:
        merge_view(BASE, update)
    assert refused.value.status == 400


def test_a_view_stored_by_an_older_portal_gets_its_row_identifier_as_a_column_id():
    old = {**BASE, "metadata": {**BASE["metadata"], "rowIdentifier": "mapx"}}
    assert migrate_view(old)["metadata"]["rowIdentifier"] == MAPX_ID


def test_a_seed_keeps_given_column_ids_and_numbers_the_others():
    view = seed_view(
        {"columns": [{"fieldName": "a", "id": 5}, {"fieldName": "b"}]},
        itertools.count(5).__next__,
    )
    assert [column["id"] for column in view["columns"]] == [5, 6]


def test_a_seed_takes_the_row_identifier_from_row_identifier_column_id():
    view = seed_view(
        {"columns": [{"fieldName": "a", "id": 5}], "rowIdentifierColumnId": 5},
        itertools.count(9).__next__,
    )
    assert view["metadata"]["rowIdentifier"] == 5


def test_a_seed_refuses_a_row_identifier_that_is_no_column():
    with pytest.raises(PortalError, match="not a column"):
        seed_view({"columns": [{"fieldName": "a", "id": 5}], "rowIdentifierColumnId": 6}, int)


@pytest.mark.parametrize(
    ("header", "field_name"),
    [
        ("TimeCreate", "timecreate"),
        ("Type_", "type_"),
        ("BLOCK ADDRESS", "block_address"),
        ("311 type", "_311_type"),
    ],
)
def test_csv_headers_become_socrata_field_names(header, field_name):
    assert normalise_field_name(header) == field_name
