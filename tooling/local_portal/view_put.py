"""`PUT /api/views/<id>.json`: Socrata's replace of a view's top-level keys.

Socrata's view PUT does not merge: each top-level key sent replaces that key whole, so a
`metadata` sent without `custom_fields` or `attachments` drops them (Socrata staff in
afeld/sodapy#22, ../shared/socrata/README.md), and it never creates a dataset (an unknown id
is the recorded 404). What it cannot do is change the dataset's shape: columns change, and
the row identifier is set, through the Dataset Management API (`dsmapi`), and the row
identifier is a column id (recorded view: `rowIdentifierColumnId`, `metadata.rowIdentifier`
numeric). So `columns` sent are checked against the dataset's and otherwise ignored, and a
row identifier sent must be the current column id. The function is pure.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from tooling.local_portal.errors import bad_request
from tooling.local_portal.views import COMPUTED_KEYS, TEXT_KEYS, row_identifier_id

_SCHEMA_ROUTE = "through the Dataset Management API (a revision with an output schema)"


def put_view(view: Mapping[str, Any], update: Any) -> dict[str, Any]:
    """`view` with each top-level key of `update` replaced whole (computed keys ignored)."""
    if not isinstance(update, dict):
        raise bad_request("a view must be a JSON object")
    current_id = row_identifier_id(view)
    replaced = copy.deepcopy(dict(view))
    for key, value in update.items():
        if key in COMPUTED_KEYS:
            continue
        if key == "columns":
            _check_same_columns(view["columns"], value)
        elif key == "metadata":
            if not isinstance(value, dict):
                raise bad_request("metadata must be a JSON object")
            if "rowIdentifier" in value:
                _check_row_identifier(value["rowIdentifier"], current_id)
            metadata = copy.deepcopy(value)
            metadata.pop("rowIdentifier", None)
            if current_id is not None:
                metadata["rowIdentifier"] = current_id
            replaced["metadata"] = metadata
        elif key == "rowIdentifier":
            _check_row_identifier(value, current_id)
        else:
            if key in TEXT_KEYS and value is not None and not isinstance(value, str):
                raise bad_request(f"{key} must be a string")
            if key == "name" and not value:
                raise bad_request("name must be a non-empty string")
            replaced[key] = copy.deepcopy(value)
    return replaced


def _check_row_identifier(value: Any, current_id: int | None) -> None:
    """A row identifier sent must be the current one, as a column id."""
    if isinstance(value, str):
        raise bad_request(
            f"rowIdentifier {value!r} is a field name: Socrata's row identifier is a column "
            f"id (rowIdentifierColumnId), and it is set {_SCHEMA_ROUTE}"
        )
    if value != current_id or isinstance(value, bool):
        raise bad_request(
            f"rowIdentifier {value!r} is not the dataset's row identifier column id "
            f"({current_id}); the row identifier changes {_SCHEMA_ROUTE}"
        )


def _check_same_columns(columns: list[dict[str, Any]], sent: Any) -> None:
    """Columns sent back unchanged are ignored; any other is refused: by field name set, or
    a data type sent that differs."""
    if not isinstance(sent, list) or not all(
        isinstance(item, dict) and isinstance(item.get("fieldName"), str) for item in sent
    ):
        raise bad_request("columns must be a JSON array of objects with a fieldName")
    types = {column["fieldName"]: column["dataTypeName"] for column in columns}
    sent_columns = [item for item in sent if not item["fieldName"].startswith(":")]
    sent_fields = {item["fieldName"] for item in sent_columns}
    differences = sorted(sent_fields ^ set(types))
    differences += sorted(
        item["fieldName"]
        for item in sent_columns
        if item["fieldName"] in types
        and item.get("dataTypeName") is not None
        and item["dataTypeName"] != types[item["fieldName"]]
    )
    if differences:
        raise bad_request(
            f"columns change {_SCHEMA_ROUTE}, not by a view PUT; these differ from the "
            f"dataset's: {', '.join(differences)}"
        )
