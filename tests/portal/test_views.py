"""View metadata: how updates merge into a dataset's view (PUT, create and CSV sidecars)."""

from __future__ import annotations

import pytest

from tooling.local_portal.errors import PortalError
from tooling.local_portal.views import empty_view, merge_view, normalise_field_name

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


def test_columns_get_ids_positions_and_text_as_default_type():
    assert BASE["columns"] == [
        {
            "id": 1,
            "name": "NOPD_Item",
            "fieldName": "nopd_item",
            "dataTypeName": "text",
            "description": "",
            "position": 1,
        },
        {
            "id": 2,
            "name": "mapx",
            "fieldName": "mapx",
            "dataTypeName": "number",
            "description": "",
            "position": 2,
        },
    ]


def test_a_columns_update_changes_named_columns_adds_new_ones_and_drops_none():
    merged = merge_view(
        BASE, {"columns": [{"fieldName": "mapx", "description": "X"}, {"fieldName": "beat"}]}
    )
    assert [column["fieldName"] for column in merged["columns"]] == ["nopd_item", "mapx", "beat"]
    assert merged["columns"][1]["description"] == "X"
    assert merged["columns"][1]["dataTypeName"] == "number"
    assert merged["columns"][2]["id"] == 3


def test_custom_fields_merge_per_section_and_other_keys_replace():
    merged = merge_view(
        BASE,
        {"description": "new", "metadata": {"custom_fields": {"Lineage": {"b": "2"}, "Q": {}}}},
    )
    assert merged["description"] == "new"
    assert merged["name"] == "Calls"
    assert merged["metadata"]["custom_fields"] == {"Lineage": {"a": "1", "b": "2"}, "Q": {}}
    assert merged["metadata"]["rowIdentifier"] == "nopd_item"


def test_the_row_identifier_may_be_given_by_column_id_or_cleared():
    assert merge_view(BASE, {"metadata": {"rowIdentifier": 2}})["metadata"]["rowIdentifier"] == (
        "mapx"
    )
    assert (
        "rowIdentifier" not in merge_view(BASE, {"metadata": {"rowIdentifier": None}})["metadata"]
    )


def test_sidecars_may_give_row_identifier_and_custom_fields_at_the_top_level():
    merged = merge_view(BASE, {"rowIdentifier": "mapx", "custom_fields": {"S": {"k": "v"}}})
    assert merged["metadata"]["rowIdentifier"] == "mapx"
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
def test_invalid_updates_are_refused_with_400(update):
    with pytest.raises(PortalError) as refused:
        merge_view(BASE, update)
    assert refused.value.status == 400


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
