"""A dataset's view metadata: merging updates into it and rendering it as Socrata does.

Socrata describes a dataset by its "view": name, description, attribution, category, the
columns (field name, display name, data type) and `metadata` (the row identifier and the
custom fields). The portal keeps a view as a plain dict and adds the read-only parts (id,
timestamps, column ids, `rowIdentifierColumnId`) when rendering. The same merge serves
`PUT /api/views/<id>.json`, `POST /api/views.json` and the `<id>.meta.json` sidecar of a CSV,
so all three accept the same shape. These functions are pure.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from tooling.local_portal.errors import bad_request

FIELD_NAME_RE = re.compile(r"[a-z_][a-z0-9_]*")
TEXT_KEYS = ("name", "description", "attribution", "attributionLink", "category")
COLUMN_TEXT_KEYS = ("name", "dataTypeName", "description")
# Rendered by the portal; ignored when a client sends them back.
COMPUTED_KEYS = frozenset(
    {
        "id",
        "createdAt",
        "rowsUpdatedAt",
        "viewLastModified",
        "rowIdentifierColumnId",
        "assetType",
        "displayType",
        "viewType",
    }
)


def empty_view(dataset_id: str) -> dict[str, Any]:
    return {
        "name": dataset_id,
        "description": "",
        "attribution": None,
        "attributionLink": None,
        "category": None,
        "columns": [],
        "metadata": {},
    }


def normalise_field_name(header: str) -> str:
    """The field name Socrata derives from a CSV header: `TimeCreate` -> `timecreate`."""
    name = re.sub(r"[^a-z0-9_]+", "_", header.strip().lower())
    if not name or name[0].isdigit():
        name = "_" + name
    return name


def merge_view(view: Mapping[str, Any], update: Any) -> dict[str, Any]:
    """`view` with `update` merged in.

    Top-level keys replace; `columns` adds new fields and updates the named ones (columns
    are never dropped); `metadata.custom_fields` merges per section; `metadata.rowIdentifier`
    (a field name, a column id, or null to clear) must name a column. `rowIdentifier` and
    `custom_fields` are also accepted at the top level, as a shorthand for sidecar files.
    """
    if not isinstance(update, dict):
        raise bad_request("view metadata must be a JSON object")
    update = dict(update)
    metadata_update = update.pop("metadata", None) or {}
    if not isinstance(metadata_update, dict):
        raise bad_request("metadata must be a JSON object")
    metadata_update = dict(metadata_update)
    for key in ("rowIdentifier", "custom_fields"):
        if key in update:
            metadata_update.setdefault(key, update.pop(key))
    columns_update = update.pop("columns", None)

    merged = copy.deepcopy(dict(view))
    for key, value in update.items():
        if key in COMPUTED_KEYS:
            continue
        if key in TEXT_KEYS and value is not None and not isinstance(value, str):
            raise bad_request(f"{key} must be a string")
        merged[key] = value
    if columns_update is not None:
        merged["columns"] = merge_columns(merged["columns"], columns_update)
    merged["metadata"] = merge_metadata(merged["metadata"], metadata_update, merged["columns"])
    return merged


def merge_columns(columns: list[dict[str, Any]], update: Any) -> list[dict[str, Any]]:
    if not isinstance(update, list):
        raise bad_request("columns must be a JSON array")
    merged = [dict(column) for column in columns]
    by_field = {column["fieldName"]: column for column in merged}
    next_id = max((column["id"] for column in merged), default=0) + 1
    for item in update:
        if not isinstance(item, dict) or not isinstance(item.get("fieldName"), str):
            raise bad_request("every column must be an object with a fieldName")
        field_name = item["fieldName"]
        if field_name.startswith(":"):
            continue  # system and computed columns belong to the portal
        if not FIELD_NAME_RE.fullmatch(field_name):
            raise bad_request(
                f"invalid fieldName {field_name!r}: use lowercase letters, digits and _"
            )
        for key in COLUMN_TEXT_KEYS:
            if item.get(key) is not None and not isinstance(item[key], str):
                raise bad_request(f"column {field_name}: {key} must be a string")
        if item.get("dataTypeName") == "":
            raise bad_request(f"column {field_name}: dataTypeName must not be empty")
        column = by_field.get(field_name)
        if column is None:
            column = {
                "id": next_id,
                "name": field_name,
                "fieldName": field_name,
                "dataTypeName": "text",
                "description": "",
                "position": len(merged) + 1,
            }
            next_id += 1
            merged.append(column)
            by_field[field_name] = column
        for key in COLUMN_TEXT_KEYS:
            if item.get(key) is not None:
                column[key] = item[key]
    return merged


def merge_metadata(
    metadata: Mapping[str, Any], update: Mapping[str, Any], columns: list[dict[str, Any]]
) -> dict[str, Any]:
    merged = copy.deepcopy(dict(metadata))
    for key, value in update.items():
        if key == "rowIdentifier":
            field_name = resolve_row_identifier(value, columns)
            if field_name is None:
                merged.pop("rowIdentifier", None)
            else:
                merged["rowIdentifier"] = field_name
        elif key == "custom_fields":
            if not isinstance(value, dict) or not all(isinstance(v, dict) for v in value.values()):
                raise bad_request("custom_fields must map section names to JSON objects")
            sections = merged.setdefault("custom_fields", {})
            for section, fields in value.items():
                sections[section] = {**sections.get(section, {}), **fields}
        else:
            merged[key] = value
    return merged


def resolve_row_identifier(value: Any, columns: list[dict[str, Any]]) -> str | None:
    """The field name a row identifier setting names; None for the default (`:id`)."""
    if value is None or value in ("", ":id"):
        return None
    for column in columns:
        if value == column["fieldName"] or (
            isinstance(value, int) and not isinstance(value, bool) and value == column["id"]
        ):
            return column["fieldName"]
    raise bad_request(f"rowIdentifier {value!r} is not a column of the dataset")


def filter_columns(view: Mapping[str, Any], field_names: list[str]) -> dict[str, Any]:
    """`view` with exactly the columns `field_names`, in that order, renumbered."""
    by_field = {column["fieldName"]: column for column in view["columns"]}
    kept = copy.deepcopy(dict(view))
    kept["columns"] = [
        {**by_field[name], "position": position}
        for position, name in enumerate(field_names, start=1)
    ]
    row_identifier = kept["metadata"].get("rowIdentifier")
    if row_identifier is not None and row_identifier not in field_names:
        raise bad_request(f"rowIdentifier {row_identifier!r} is not a column of the dataset")
    return kept


def iso_timestamp(epoch_seconds: float) -> str:
    moment = datetime.fromtimestamp(epoch_seconds, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def render_view(
    dataset_id: str,
    view: Mapping[str, Any],
    *,
    created_at: float,
    rows_updated_at: float,
    view_last_modified: float,
) -> dict[str, Any]:
    """The view as `GET /api/views/<id>.json` answers it."""
    columns = [{**column, "renderTypeName": column["dataTypeName"]} for column in view["columns"]]
    rendered: dict[str, Any] = {"id": dataset_id}
    rendered.update({key: value for key, value in view.items() if key != "columns"})
    rendered.update(
        {
            "assetType": "dataset",
            "displayType": "table",
            "viewType": "tabular",
            "createdAt": int(created_at),
            "rowsUpdatedAt": int(rows_updated_at),
            "viewLastModified": int(view_last_modified),
            "columns": columns,
            "metadata": copy.deepcopy(view["metadata"]),
        }
    )
    row_identifier = view["metadata"].get("rowIdentifier")
    for column in columns:
        if column["fieldName"] == row_identifier:
            rendered["rowIdentifierColumnId"] = column["id"]
    return rendered


def catalog_entry(
    dataset_id: str,
    view: Mapping[str, Any],
    *,
    created_at: float,
    rows_updated_at: float,
    view_last_modified: float,
    base_url: str,
    domain: str,
) -> dict[str, Any]:
    """One result of `GET /api/catalog/v1` (its timestamps keep milliseconds)."""
    columns = view["columns"]
    return {
        "resource": {
            "id": dataset_id,
            "name": view["name"],
            "description": view["description"],
            "attribution": view["attribution"],
            "attribution_link": view["attributionLink"],
            "type": "dataset",
            "createdAt": iso_timestamp(created_at),
            "updatedAt": iso_timestamp(max(rows_updated_at, view_last_modified)),
            "data_updated_at": iso_timestamp(rows_updated_at),
            "metadata_updated_at": iso_timestamp(view_last_modified),
            "columns_field_name": [column["fieldName"] for column in columns],
            "columns_name": [column["name"] for column in columns],
            "columns_datatype": [column["dataTypeName"] for column in columns],
            "columns_description": [column["description"] for column in columns],
        },
        "classification": {
            "categories": [],
            "tags": [],
            "domain_category": view["category"],
            "domain_tags": [],
            "domain_metadata": [],
        },
        "metadata": {"domain": domain},
        "permalink": f"{base_url}/d/{dataset_id}",
        "link": f"{base_url}/d/{dataset_id}",
    }
