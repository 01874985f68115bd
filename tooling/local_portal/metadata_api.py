"""Socrata's Metadata API v1 (`/api/views/metadata/v1/<id>`): asset metadata read and merged.

Unlike a view PUT, which replaces every top-level key it is sent, the Metadata API's `PATCH`
changes only the fields sent, custom fields per fieldset and per field, and can validate a
change without making it (`validateOnly`). Everything here follows
../shared/socrata/docs/apis_metadata.json (its `info.description`):
- "All available fields": which fields exist and which are read-only (id, domain, dataUri,
  webUri, the four timestamps, provenance, hideFromCatalog, hideFromDataJson);
- "Blank fields are included as null instead of being omitted";
- timestamps as `YYYY-MM-DDTHH:MM:SS±hh:mm`;
- "Nullifying and removing custom fields": `customFields: null` removes every fieldset, a
  fieldset null removes it, a field null clears that field's value (the field stays, null);
- `validateOnly`: "The metadata as it would have been changed is returned, along with a list
  of errors and warnings"; `strict` turns warnings into errors (the portal has no warnings).
The fields live in the dataset's view (description, attribution, `metadata.custom_fields`,
...), so `GET /api/views/<id>.json` shows what a PATCH changed. The functions are pure.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

WRITABLE = (
    "name",
    "description",
    "category",
    "tags",
    "license",
    "attribution",
    "attributionLink",
    "externalId",
    "customFields",
)
READ_ONLY = (
    "id",
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
)


def metadata_timestamp(epoch_seconds: float) -> str:
    """`YYYY-MM-DDTHH:MM:SS+00:00`, the API's ISO-8601 form."""
    return datetime.fromtimestamp(int(epoch_seconds), UTC).isoformat()


def license_name(view: Mapping[str, Any]) -> str | None:
    """The view's license as the API names it: Socrata views hold `{"name": ...}`."""
    value = view.get("license")
    if isinstance(value, dict):
        value = value.get("name")
    return value or None


def render_metadata(
    dataset_id: str,
    view: Mapping[str, Any],
    *,
    created_at: float,
    rows_updated_at: float,
    view_last_modified: float,
    base_url: str,
    domain: str,
) -> dict[str, Any]:
    """The answer of `GET /api/views/metadata/v1/<id>`; blank fields are null."""
    return {
        "id": dataset_id,
        "name": view.get("name"),
        "description": view.get("description") or None,
        "category": view.get("category") or None,
        "tags": list(view["tags"]) if view.get("tags") else None,
        "license": license_name(view),
        "attribution": view.get("attribution") or None,
        "attributionLink": view.get("attributionLink") or None,
        "externalId": view.get("externalId") or None,
        "customFields": copy.deepcopy(view.get("metadata", {}).get("custom_fields")) or None,
        "domain": domain,
        "dataUri": f"{base_url}/resource/{dataset_id}",
        "webUri": f"{base_url}/d/{dataset_id}",
        "createdAt": metadata_timestamp(created_at),
        "updatedAt": metadata_timestamp(max(rows_updated_at, view_last_modified)),
        "dataUpdatedAt": metadata_timestamp(rows_updated_at),
        "metadataUpdatedAt": metadata_timestamp(view_last_modified),
        "provenance": str(view.get("provenance") or "official").upper(),
        "hideFromCatalog": view.get("hideFromCatalog") is True,
        "hideFromDataJson": view.get("hideFromDataJson") is True,
    }


def _error(field: str, message: str) -> dict[str, str]:
    return {"field": field, "message": message}


def _text_error(field: str, value: Any) -> dict[str, str] | None:
    if value is not None and not isinstance(value, str):
        return _error(field, f"{field} must be a string or null")
    return None


def _field_error(field: str, value: Any) -> dict[str, str] | None:
    """Why the value sent for a writable field is invalid, or None."""
    if field == "name":
        if not isinstance(value, str) or not value.strip():
            return _error("name", "name must be a non-empty string")
        return None
    if field == "tags":
        if value is not None and (
            not isinstance(value, list) or not all(isinstance(tag, str) for tag in value)
        ):
            return _error("tags", "tags must be a list of strings or null")
        return None
    return _text_error(field, value)


def _custom_fields_errors(value: Any) -> list[dict[str, str]]:
    if value is None:
        return []
    if not isinstance(value, dict):
        return [_error("customFields", "customFields must map fieldsets to objects, or be null")]
    errors = []
    for fieldset, fields in value.items():
        where = f"customFields.{fieldset}"
        if fields is None:
            continue
        if not isinstance(fields, dict):
            errors.append(_error(where, f"the fieldset {fieldset!r} must be an object or null"))
            continue
        for name, field_value in fields.items():
            if field_value is not None and not isinstance(field_value, str):
                errors.append(
                    _error(f"{where}.{name}", f"the field {name!r} must be a string or null")
                )
    return errors


def merge_custom_fields(current: Any, sent: Any) -> dict[str, Any]:
    """`current` custom fields with `sent` merged in, per the doc's null rules."""
    if sent is None:
        return {}
    merged = copy.deepcopy(current) if isinstance(current, dict) else {}
    for fieldset, fields in sent.items():
        if fields is None:
            merged.pop(fieldset, None)
            continue
        target = merged.setdefault(fieldset, {})
        for name, value in fields.items():
            target[name] = value  # null clears the value; the field stays
    return merged


def _apply_field(view: dict[str, Any], field: str, value: Any) -> None:
    if field == "customFields":
        metadata = view.setdefault("metadata", {})
        merged = merge_custom_fields(metadata.get("custom_fields"), value)
        if merged:
            metadata["custom_fields"] = merged
        else:
            metadata.pop("custom_fields", None)
    elif field == "license":
        view.pop("licenseId", None)  # a license id names the license replaced
        if value is None:
            view.pop("license", None)
        else:
            view["license"] = {"name": value}
    elif field == "tags":
        if value is None:
            view.pop("tags", None)
        else:
            view["tags"] = list(value)
    else:
        view[field] = value


def patch_view(view: Mapping[str, Any], fields: Any) -> tuple[dict[str, Any], list[dict]]:
    """`view` with the valid fields of a PATCH merged in, and the errors of the others.

    A real PATCH is refused whole when there is any error; `validateOnly` shows this view.
    """
    patched = copy.deepcopy(dict(view))
    if not isinstance(fields, dict):
        return patched, [_error("", "the body must be a JSON object of metadata fields")]
    errors: list[dict[str, str]] = []
    for field, value in fields.items():
        if field in READ_ONLY:
            errors.append(_error(field, f"{field} is read-only"))
            continue
        if field not in WRITABLE:
            errors.append(_error(field, f"{field} is not a metadata field of this API"))
            continue
        if field == "customFields":
            field_errors = _custom_fields_errors(value)
        else:
            error = _field_error(field, value)
            field_errors = [error] if error else []
        if field_errors:
            errors.extend(field_errors)
            continue
        _apply_field(patched, field, value)
    return patched, errors
