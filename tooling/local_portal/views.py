"""A dataset's view: how the portal keeps it, builds it locally, and renders it as Socrata does.

Socrata describes a dataset by its "view" (`GET /api/views/<id>.json`): name, description,
attribution, category, the columns (numeric id, field name, display name, data type) and
`metadata` (custom fields, attachments, the row identifier...). The portal keeps a view as a
plain dict holding every key it was given, and adds only the keys it computes (id,
timestamps, `rowIdentifierColumnId`, ...) when rendering, so a view seeded from a real one
(../shared/socrata/recorded/test_get_metadata_and_attachments.yaml) comes back as it went in.

The row identifier is a column id, as on Socrata (the recorded view: `rowIdentifierColumnId`
and `metadata.rowIdentifier` both 562412106), and column ids are numbers the portal assigns
when a column is created (`new_column_id`). A field name stands for the row identifier only
in the portal's own inputs: a CSV's `<id>.meta.json` sidecar and `PUT /_portal/views/<id>`,
which are local, not Socrata (`merge_view`, `seed_view`). How Socrata's own endpoints change
a view lives elsewhere: `view_put` (PUT /api/views), `metadata_api` (Metadata API v1) and
`dsmapi` (revisions). These functions are pure.
"""

from __future__ import annotations

import copy
import itertools
import re
from collections.abc import Callable, Iterable, Mapping
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
# Column ids look like Socrata's (nine digits), so a client that takes a position or a
# small counter for a column id is caught.
FIRST_COLUMN_ID = 100_000_001

ColumnIds = Callable[[], int]


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


def column_ids_after(views: Iterable[Mapping[str, Any]]) -> ColumnIds:
    """New column ids, above every id the `views` hold (and never below FIRST_COLUMN_ID)."""
    highest = max(
        (column["id"] for view in views for column in view.get("columns") or []),
        default=FIRST_COLUMN_ID - 1,
    )
    return itertools.count(max(highest, FIRST_COLUMN_ID - 1) + 1).__next__


def _is_number(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def row_identifier_id(view: Mapping[str, Any]) -> int | None:
    """The row identifier's column id, or None when rows are identified by `:id`."""
    value = view.get("metadata", {}).get("rowIdentifier")
    return value if _is_number(value) else None


def row_identifier_field(view: Mapping[str, Any]) -> str | None:
    """The row identifier's field name, or None when rows are identified by `:id`."""
    column_id = row_identifier_id(view)
    for column in view["columns"]:
        if column["id"] == column_id:
            return column["fieldName"]
    return None


def check_field_name(field_name: Any) -> str:
    if not isinstance(field_name, str) or not FIELD_NAME_RE.fullmatch(field_name):
        raise bad_request(f"invalid field name {field_name!r}: use lowercase letters, digits and _")
    return field_name


def merge_view(
    view: Mapping[str, Any], update: Any, new_column_id: ColumnIds | None = None
) -> dict[str, Any]:
    """`view` with a local update merged in: a CSV sidecar, or `PortalStore.update_view`.

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
        new_column_id = new_column_id or column_ids_after([merged])
        merged["columns"] = merge_columns(merged["columns"], columns_update, new_column_id)
    merged["metadata"] = merge_metadata(merged["metadata"], metadata_update, merged["columns"])
    return merged


def _checked_column_item(item: Any) -> str | None:
    """The field name of a column object sent; None for a system field (`:id`...)."""
    if not isinstance(item, dict) or not isinstance(item.get("fieldName"), str):
        raise bad_request("every column must be an object with a fieldName")
    field_name = item["fieldName"]
    if field_name.startswith(":"):
        return None  # system and computed columns belong to the portal
    check_field_name(field_name)
    for key in COLUMN_TEXT_KEYS:
        if item.get(key) is not None and not isinstance(item[key], str):
            raise bad_request(f"column {field_name}: {key} must be a string")
    if item.get("dataTypeName") == "":
        raise bad_request(f"column {field_name}: dataTypeName must not be empty")
    return field_name


def merge_columns(
    columns: list[dict[str, Any]], update: Any, new_column_id: ColumnIds
) -> list[dict[str, Any]]:
    if not isinstance(update, list):
        raise bad_request("columns must be a JSON array")
    merged = [dict(column) for column in columns]
    by_field = {column["fieldName"]: column for column in merged}
    for item in update:
        field_name = _checked_column_item(item)
        if field_name is None:
            continue
        column = by_field.get(field_name)
        if column is None:
            column = new_column(field_name, new_column_id(), len(merged) + 1)
            merged.append(column)
            by_field[field_name] = column
        for key in COLUMN_TEXT_KEYS:
            if item.get(key) is not None:
                column[key] = item[key]
    return merged


def new_column(field_name: str, column_id: int, position: int) -> dict[str, Any]:
    return {
        "id": column_id,
        "name": field_name,
        "fieldName": field_name,
        "dataTypeName": "text",
        "description": "",
        "position": position,
    }


def merge_metadata(
    metadata: Mapping[str, Any], update: Mapping[str, Any], columns: list[dict[str, Any]]
) -> dict[str, Any]:
    merged = copy.deepcopy(dict(metadata))
    for key, value in update.items():
        if key == "rowIdentifier":
            column_id = resolve_row_identifier(value, columns)
            if column_id is None:
                merged.pop("rowIdentifier", None)
            else:
                merged["rowIdentifier"] = column_id
        elif key == "custom_fields":
            if not isinstance(value, dict) or not all(isinstance(v, dict) for v in value.values()):
                raise bad_request("custom_fields must map section names to JSON objects")
            sections = merged.setdefault("custom_fields", {})
            for section, fields in value.items():
                sections[section] = {**sections.get(section, {}), **fields}
        else:
            merged[key] = value
    return merged


def resolve_row_identifier(value: Any, columns: list[dict[str, Any]]) -> int | None:
    """The column id a local row identifier setting names (a field name or a column id);
    None for the default (`:id`)."""
    if value is None or value in ("", ":id"):
        return None
    for column in columns:
        if value == column["fieldName"] or (_is_number(value) and value == column["id"]):
            return column["id"]
    raise bad_request(f"rowIdentifier {value!r} is not a column of the dataset")


def seed_view(body: Any, new_column_id: ColumnIds) -> dict[str, Any]:
    """The stored view of `PUT /_portal/views/<id>`: a view as GET /api/views renders it.

    Every key is kept as given but the computed ones; columns keep their ids and other keys
    (`format`, `cachedContents`...), and get an id, a display name, a type and a position
    when they lack one. The row identifier is `rowIdentifierColumnId` or
    `metadata.rowIdentifier`: a column id, or (locally) a field name.
    """
    if not isinstance(body, dict):
        raise bad_request("a view must be a JSON object")
    metadata = body.get("metadata", {})
    if not isinstance(metadata, dict):
        raise bad_request("metadata must be a JSON object")
    columns_body = body.get("columns", [])
    if not isinstance(columns_body, list):
        raise bad_request("columns must be a JSON array")
    view = {key: copy.deepcopy(value) for key, value in body.items() if key not in COMPUTED_KEYS}
    if not isinstance(view.get("name", ""), str):
        raise bad_request("name must be a string")
    view.setdefault("name", "")
    columns: list[dict[str, Any]] = []
    seen_fields: set[str] = set()
    given_ids = [item.get("id") for item in columns_body if isinstance(item, dict)]
    for item in columns_body:
        field_name = _checked_column_item(item)
        if field_name is None:
            continue
        if field_name in seen_fields:
            raise bad_request(f"the column {field_name} is given twice")
        seen_fields.add(field_name)
        column = copy.deepcopy(item)
        if column.get("id") is None:
            column_id = new_column_id()
            while column_id in given_ids:
                column_id = new_column_id()
            column["id"] = column_id
        elif not _is_number(column["id"]):
            raise bad_request(f"column {field_name}: id must be a number")
        column.setdefault("name", field_name)
        column.setdefault("dataTypeName", "text")
        column.setdefault("description", "")
        column.setdefault("position", len(columns) + 1)
        columns.append(column)
    if len({column["id"] for column in columns}) < len(columns):
        raise bad_request("two columns have the same id")
    view["columns"] = columns
    view["metadata"] = copy.deepcopy(metadata)
    given = [
        value
        for value in (body.get("rowIdentifierColumnId"), metadata.get("rowIdentifier"))
        if value is not None
    ]
    resolved = {resolve_row_identifier(value, columns) for value in given}
    if len(resolved) > 1:
        raise bad_request("rowIdentifierColumnId and metadata.rowIdentifier name different columns")
    column_id = resolved.pop() if resolved else None
    if column_id is None:
        view["metadata"].pop("rowIdentifier", None)
    else:
        view["metadata"]["rowIdentifier"] = column_id
    return view


def migrate_view(view: dict[str, Any]) -> dict[str, Any]:
    """A view stored by an older portal, whose row identifier was a field name."""
    value = view.get("metadata", {}).get("rowIdentifier")
    if isinstance(value, str):
        view = copy.deepcopy(view)
        by_field = {column["fieldName"]: column["id"] for column in view["columns"]}
        if value in by_field:
            view["metadata"]["rowIdentifier"] = by_field[value]
        else:
            del view["metadata"]["rowIdentifier"]
    return view


def filter_columns(view: Mapping[str, Any], field_names: list[str]) -> dict[str, Any]:
    """`view` with exactly the columns `field_names`, in that order, renumbered."""
    by_field = {column["fieldName"]: column for column in view["columns"]}
    kept = copy.deepcopy(dict(view))
    kept["columns"] = [
        {**by_field[name], "position": position}
        for position, name in enumerate(field_names, start=1)
    ]
    column_id = row_identifier_id(view)
    if column_id is not None and column_id not in {c["id"] for c in kept["columns"]}:
        name = row_identifier_field(view)
        raise bad_request(f"rowIdentifier {name!r} is not a column of the dataset")
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
    """The view as `GET /api/views/<id>.json` answers it: what is stored, and what is computed."""
    columns = [
        {**column, "renderTypeName": column.get("renderTypeName", column["dataTypeName"])}
        for column in copy.deepcopy(view["columns"])
    ]
    rendered: dict[str, Any] = {"id": dataset_id}
    rendered.update(
        {
            key: copy.deepcopy(value)
            for key, value in view.items()
            if key not in ("columns", "metadata")
        }
    )
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
    rendered.setdefault("newBackend", True)  # served by SODA 2.1 unless the view says not
    column_id = row_identifier_id(view)
    if column_id is not None:
        rendered["rowIdentifierColumnId"] = column_id
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
            "name": view.get("name"),
            "description": view.get("description"),
            "attribution": view.get("attribution"),
            "attribution_link": view.get("attributionLink"),
            "type": "dataset",
            "createdAt": iso_timestamp(created_at),
            "updatedAt": iso_timestamp(max(rows_updated_at, view_last_modified)),
            "data_updated_at": iso_timestamp(rows_updated_at),
            "metadata_updated_at": iso_timestamp(view_last_modified),
            "columns_field_name": [column["fieldName"] for column in columns],
            "columns_name": [column["name"] for column in columns],
            "columns_datatype": [column["dataTypeName"] for column in columns],
            "columns_description": [column.get("description", "") for column in columns],
        },
        "classification": {
            "categories": [],
            "tags": [],
            "domain_category": view.get("category"),
            "domain_tags": list(view.get("tags") or []),
            "domain_metadata": [],
        },
        "metadata": {"domain": domain},
        "permalink": f"{base_url}/d/{dataset_id}",
        "link": f"{base_url}/d/{dataset_id}",
    }
