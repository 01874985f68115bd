"""The Dataset Management API's revision flow: how datasets are created, reshaped and given files.

On Socrata a dataset is created, its columns and row identifier changed, and files attached
only through a revision (../shared/socrata/docs/publishers_dsmapi.md: "you cannot update a
dataset via this API without routing through a revision"; apis_publishing.json for the
endpoints and resources; socrata-py is Socrata's SDK for it):

  POST /api/publishing/v1/revision[/<fourfour>]     open a revision (a new asset, or one on a
                                                     published dataset), seq 0 or previous + 1
  POST .../revision/<fourfour>/<seq>/attachment     upload a file (raw bytes, X-File-Name)
  POST .../revision/<fourfour>/<seq>/source         an upload source; then its CSV bytes at
  POST /api/publishing/v1/source/<id>               -> an input schema (the header's columns)
                                                        and an output schema (all text)
  POST /api/publishing/v1/source/<id>/schema/<id>   a new output schema: typed columns, the
                                                     primary key (becomes the revision's)
  PUT|PATCH .../revision/<fourfour>/<seq>           pending metadata, attachments, schema
  PUT .../revision/<fourfour>/<seq>/apply           everything above, in one step
  DELETE .../revision/<fourfour>/<seq>              discard

A new asset gets a fresh random id and exists nowhere else (views, rows, catalog, Metadata
API) until its revision is applied. Applying makes the dataset's columns exactly the output
schema's (ids kept by field name, new ones numbered, types from the transforms), its row
identifier the primary key column's id, its rows the source's (replaced or upserted, by the
action), its metadata the pending metadata and its attachments the pending list. A failure
the data causes (say, a primary key repeated in rows already there) is a task set with status
"failure": nothing is applied and the revision stays open, as a DSMAPI job fails.

Revisions, sources and schemas live in memory (a restart forgets open revisions; sequence
numbers then start again after 0); what an apply changed is stored like every other change.
Uploaded attachment files are stored at once (`assets`), and downloadable only while a view
lists them.
"""

from __future__ import annotations

import copy
import csv
import io
import itertools
import secrets
import string
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import PurePosixPath
from typing import Any

from tooling.local_portal.assets import AssetStore, attachment_ids
from tooling.local_portal.errors import PortalError, bad_request
from tooling.local_portal.store import PortalStore
from tooling.local_portal.transforms import parse_transform, transformed
from tooling.local_portal.views import (
    ColumnIds,
    check_field_name,
    empty_view,
    new_column,
    normalise_field_name,
)

PUBLISHING = "/api/publishing/v1"
ACTIONS = ("update", "replace")
PERMISSIONS = ("public", "private")
# The pending metadata an apply writes into the view; other keys are kept, not applied.
APPLIED_METADATA = ("name", "description", "attribution", "attributionLink", "category", "tags")
_ID_ALPHABET = string.ascii_lowercase + string.digits


def _now() -> str:
    return datetime.now(UTC).isoformat()


def _not_found(what: str, **data: Any) -> PortalError:
    return PortalError(404, "not_found", f"Not found: {what}", data=data)


@dataclass
class OutputSchema:
    id: int
    input_schema_id: int
    columns: list[dict[str, Any]]  # the rendered output_columns, in position order
    rows: list[dict[str, str | None]]  # the source's rows transformed; rows in error left out
    total_rows: int
    error_count: int
    created_at: str = field(default_factory=_now)

    @property
    def primary_key(self) -> str | None:
        return next((c["field_name"] for c in self.columns if c["is_primary_key"]), None)

    def rendered(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "input_schema_id": self.input_schema_id,
            "output_columns": copy.deepcopy(self.columns),
            "total_rows": self.total_rows,
            "error_count": self.error_count,
            "created_at": self.created_at,
            "finished_at": self.created_at,
        }


@dataclass
class InputSchema:
    id: int
    columns: list[dict[str, Any]]  # input_columns
    rows: list[list[str]]  # each row's texts, one per input column
    output_schemas: list[OutputSchema] = field(default_factory=list)
    created_at: str = field(default_factory=_now)

    def rendered(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "total_rows": len(self.rows),
            "input_columns": copy.deepcopy(self.columns),
            "output_schemas": [schema.rendered() for schema in self.output_schemas],
            "created_at": self.created_at,
        }


@dataclass
class Source:
    id: int
    revision: tuple[str, int]
    source_type: dict[str, Any]
    parse_options: dict[str, Any]
    schemas: list[InputSchema] = field(default_factory=list)
    content_type: str | None = None
    created_at: str = field(default_factory=_now)
    finished_at: str | None = None

    def rendered(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "source_type": copy.deepcopy(self.source_type),
            "parse_options": copy.deepcopy(self.parse_options),
            "schemas": [schema.rendered() for schema in self.schemas],
            "content_type": self.content_type,
            "created_at": self.created_at,
            "finished_at": self.finished_at,
            "failed_at": None,
        }

    def links(self) -> dict[str, Any]:
        show = f"{PUBLISHING}/source/{self.id}"
        return {
            "show": show,
            "bytes": show,
            "input_schema_links": {"transform": f"{show}/schema/{{input_schema_id}}"},
        }


@dataclass
class Revision:
    id: int
    fourfour: str
    revision_seq: int
    action: dict[str, Any]
    metadata: dict[str, Any]
    attachments: list[dict[str, Any]]
    new_asset: bool
    # The view's attachments when the revision opened: kept as they are unless changed.
    view_attachments: list[dict[str, Any]] = field(default_factory=list)
    output_schema_id: int | None = None
    task_sets: list[dict[str, Any]] = field(default_factory=list)
    sources: list[Source] = field(default_factory=list)
    created_at: str = field(default_factory=_now)
    closed_at: str | None = None

    def rendered(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "fourfour": self.fourfour,
            "revision_seq": self.revision_seq,
            "metadata": copy.deepcopy(self.metadata),
            "attachments": copy.deepcopy(self.attachments),
            "output_schema_id": self.output_schema_id,
            "blob_id": None,
            "task_sets": copy.deepcopy(self.task_sets),
            "action": copy.deepcopy(self.action),
            "created_at": self.created_at,
            "closed_at": self.closed_at,
        }

    def links(self) -> dict[str, str]:
        base = f"{PUBLISHING}/revision/{self.fourfour}/{self.revision_seq}"
        return {
            "show": base,
            "update": base,
            "discard": base,
            "apply": f"{base}/apply",
            "create_source": f"{base}/source",
            "attachment": f"{base}/attachment",
        }

    def output_schema(self, schema_id: Any) -> OutputSchema:
        for source in self.sources:
            for input_schema in source.schemas:
                for output_schema in input_schema.output_schemas:
                    if output_schema.id == schema_id and not isinstance(schema_id, bool):
                        return output_schema
        raise bad_request(f"output schema {schema_id!r} is not one of this revision's")


def answer(resource: Any, links: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """DSMAPI's JSON answer shape."""
    return {"resource": resource, "links": dict(links or {})}


# Validation of request bodies ------------------------------------------------------------


def _object(body: Any, what: str, allowed: tuple[str, ...]) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise bad_request(f"{what} must be a JSON object")
    unknown = sorted(set(body) - set(allowed))
    if unknown:
        raise bad_request(f"{what} does not take {', '.join(unknown)} (only {', '.join(allowed)})")
    return body


def _checked_metadata(metadata: Any, *, new_asset: bool) -> dict[str, Any]:
    """A revision's metadata: name (a new asset needs one), texts, tags, license."""
    if metadata is None and not new_asset:
        return {}
    if not isinstance(metadata, dict):
        raise bad_request("metadata must be a JSON object")
    if new_asset and "name" not in metadata:
        raise bad_request("a revision creating a dataset needs metadata.name")
    for key, value in metadata.items():
        if key == "name" and (not isinstance(value, str) or not value.strip()):
            raise bad_request("metadata.name must be a non-empty string")
        if key in ("description", "attribution", "attributionLink", "category") and not (
            value is None or isinstance(value, str)
        ):
            raise bad_request(f"metadata.{key} must be a string or null")
        if key == "tags" and not (
            value is None or (isinstance(value, list) and all(isinstance(t, str) for t in value))
        ):
            raise bad_request("metadata.tags must be a list of strings or null")
        if key == "license" and not (
            value is None
            or isinstance(value, str)
            or (isinstance(value, dict) and isinstance(value.get("name"), str))
        ):
            raise bad_request('metadata.license must be a string, {"name": ...} or null')
    return copy.deepcopy(metadata)


def _checked_action(action: Any, *, new_asset: bool) -> dict[str, Any]:
    if not isinstance(action, dict) or action.get("type") not in ACTIONS:
        raise bad_request(f"action must be an object whose type is one of {', '.join(ACTIONS)}")
    checked = {"type": action["type"]}
    permission = action.get("permission", "public" if new_asset else None)
    if permission is not None:
        if permission not in PERMISSIONS:
            raise bad_request(f"action.permission must be one of {', '.join(PERMISSIONS)}")
        checked["permission"] = permission
    return checked


def _dsmapi_attachments(view: Mapping[str, Any]) -> list[dict[str, Any]]:
    """A view's attachments under DSMAPI's names ({"asset_id", "filename", "name"})."""
    return [
        {
            "asset_id": item.get("assetId"),
            "filename": item.get("filename"),
            "name": item.get("name", item.get("filename")),
        }
        for item in view.get("metadata", {}).get("attachments") or []
        if isinstance(item, dict)
    ]


def _view_attachments(pending: list[dict[str, Any]], current: list[dict[str, Any]]) -> list:
    """The pending list under the view's names; an attachment the view has is kept whole."""
    by_key = {
        (item.get("assetId"), item.get("filename"), item.get("name", item.get("filename"))): item
        for item in current
        if isinstance(item, dict)
    }
    return [
        copy.deepcopy(
            by_key.get(
                (item["asset_id"], item["filename"], item["name"]),
                {"assetId": item["asset_id"], "filename": item["filename"], "name": item["name"]},
            )
        )
        for item in pending
    ]


def _parse_csv(body: bytes) -> tuple[list[str], list[list[str]]]:
    """The header and the rows of an uploaded CSV (short rows padded with empty texts)."""
    try:
        lines = list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))
    except (UnicodeDecodeError, csv.Error) as error:
        raise bad_request(f"the upload is not readable CSV: {error}") from None
    lines = [line for line in lines if line]
    if not lines or not any(header.strip() for header in lines[0]):
        raise bad_request("the upload is not a CSV with a header row")
    header = lines[0]
    rows = []
    for number, line in enumerate(lines[1:], start=2):
        if len(line) > len(header):
            raise bad_request(f"CSV line {number} has more values than the header")
        rows.append(line + [""] * (len(header) - len(line)))
    return header, rows


def _schema_column(
    item: Any, index: int, input_fields: list[str], ids: ColumnIds
) -> tuple[dict[str, Any], str]:
    """One output column as the schema renders it, and the input field it reads."""
    if not isinstance(item, dict):
        raise bad_request(f"output column {index} must be a JSON object")
    field_name = check_field_name(item.get("field_name"))
    transform = item.get("transform")
    if not isinstance(transform, dict):
        raise bad_request(f"output column {field_name} needs a transform with a transform_expr")
    source_field, data_type = parse_transform(transform.get("transform_expr"), input_fields)
    display_name = item.get("display_name", field_name)
    description = item.get("description") or ""
    position = item.get("position", index + 1)
    is_primary_key = item.get("is_primary_key", False) or False
    if not isinstance(display_name, str) or not isinstance(description, str):
        raise bad_request(f"output column {field_name}: display_name, description are texts")
    if isinstance(position, bool) or not isinstance(position, int | float):
        raise bad_request(f"output column {field_name}: position must be a number")
    if not isinstance(is_primary_key, bool):
        raise bad_request(f"output column {field_name}: is_primary_key must be true or false")
    column = {
        "id": ids(),
        "field_name": field_name,
        "display_name": display_name,
        "position": position,
        "description": description,
        "is_primary_key": is_primary_key,
        "transform": {
            "transform_expr": transform["transform_expr"],
            "output_soql_type": data_type,
        },
    }
    return column, source_field


def _view_columns(
    current: list[dict[str, Any]], schema: OutputSchema, new_column_id: ColumnIds
) -> list[dict[str, Any]]:
    """The view's columns made equal to the output schema's; a column kept keeps its id and
    whatever else it holds (format...)."""
    by_field = {column["fieldName"]: column for column in current}
    columns = []
    for position, output in enumerate(schema.columns, start=1):
        name = output["field_name"]
        data_type = output["transform"]["output_soql_type"]
        column = copy.deepcopy(by_field.get(name)) or new_column(name, new_column_id(), position)
        column.update(
            name=output["display_name"], description=output["description"], position=position
        )
        if column["dataTypeName"] != data_type:
            column["dataTypeName"] = data_type
            if "renderTypeName" in column:
                column["renderTypeName"] = data_type
        columns.append(column)
    return columns


# The revisions ---------------------------------------------------------------------------


class Publishing:
    """Open revisions and their sources, schemas and files; thread-safe."""

    def __init__(self, store: PortalStore, assets: AssetStore) -> None:
        self.store = store
        self.assets = assets
        self._lock = threading.RLock()
        self._ids = itertools.count(1)  # one sequence for every DSMAPI object's id
        self._revisions: dict[tuple[str, int], Revision] = {}
        self._last_seq: dict[str, int] = {}
        self._sources: dict[int, Source] = {}

    # Revisions ---------------------------------------------------------------------------

    def open_revision(self, body: Any, fourfour: str | None = None) -> Revision:
        """A revision for a new asset (`fourfour` None) or on a published dataset."""
        body = _object(body, "a revision", ("metadata", "action"))
        new_asset = fourfour is None
        with self._lock:
            if fourfour is None:
                fourfour = self._fresh_id()
                view_attachments: list[dict[str, Any]] = []
            else:
                view = self.store.dataset(fourfour).view
                view_attachments = copy.deepcopy(view.get("metadata", {}).get("attachments") or [])
            seq = self._last_seq.get(fourfour, -1) + 1 if not new_asset else 0
            revision = Revision(
                id=next(self._ids),
                fourfour=fourfour,
                revision_seq=seq,
                action=_checked_action(body.get("action"), new_asset=new_asset),
                metadata=_checked_metadata(body.get("metadata"), new_asset=new_asset),
                attachments=_dsmapi_attachments({"metadata": {"attachments": view_attachments}}),
                new_asset=new_asset,
                view_attachments=view_attachments,
            )
            self._last_seq[fourfour] = seq
            self._revisions[fourfour, seq] = revision
        return revision

    def _fresh_id(self) -> str:
        while True:
            candidate = "-".join(
                "".join(secrets.choice(_ID_ALPHABET) for _ in range(4)) for _ in range(2)
            )
            if not self.store.exists(candidate) and candidate not in self._last_seq:
                return candidate

    def revision(self, fourfour: str, seq: str | int) -> Revision:
        key = (fourfour, int(seq)) if str(seq).isdigit() else None
        revision = self._revisions.get(key) if key else None
        if revision is None:
            raise _not_found(f"revision {seq} of {fourfour}", fourfour=fourfour, revision_seq=seq)
        return revision

    def _open(self, fourfour: str, seq: str | int) -> Revision:
        revision = self.revision(fourfour, seq)
        if revision.closed_at is not None:
            raise bad_request(f"revision {seq} of {fourfour} is closed")
        return revision

    def update_revision(self, fourfour: str, seq: str, body: Any) -> Revision:
        """Merge pending metadata, replace the pending attachments, set the output schema."""
        body = _object(body, "a revision update", ("metadata", "attachments", "output_schema_id"))
        with self._lock:
            revision = self._open(fourfour, seq)
            metadata = _checked_metadata(body.get("metadata"), new_asset=False)
            attachments = revision.attachments
            if "attachments" in body:
                attachments = self._checked_attachments(revision, body["attachments"])
            schema_id = revision.output_schema_id
            if body.get("output_schema_id") is not None:
                schema_id = revision.output_schema(body["output_schema_id"]).id
            elif "output_schema_id" in body:
                schema_id = None
            revision.metadata.update(metadata)
            revision.attachments = attachments
            revision.output_schema_id = schema_id
        return revision

    def _checked_attachments(self, revision: Revision, items: Any) -> list[dict[str, Any]]:
        """Each attachment names a file uploaded here, or one the view already lists."""
        if not isinstance(items, list):
            raise bad_request("attachments must be a JSON array")
        known = attachment_ids({"metadata": {"attachments": revision.view_attachments}})
        checked = []
        for item in items:
            if not isinstance(item, dict) or not isinstance(item.get("asset_id"), str):
                raise bad_request('every attachment is an object with an "asset_id"')
            asset_id, filename = item["asset_id"], item.get("filename")
            if not isinstance(filename, str) or not filename:
                raise bad_request(f"attachment {asset_id} needs a filename")
            name = item.get("name") or filename
            if not isinstance(name, str):
                raise bad_request(f"attachment {asset_id}: name must be a string")
            if asset_id not in known and not self.assets.exists(asset_id):
                raise bad_request(f"attachment {asset_id} is not a file uploaded to the portal")
            checked.append({"asset_id": asset_id, "filename": filename, "name": name})
        return checked

    def discard(self, fourfour: str, seq: str) -> Revision:
        with self._lock:
            revision = self._open(fourfour, seq)
            revision.closed_at = _now()
        return revision

    # Files and sources -------------------------------------------------------------------

    def add_attachment(
        self, fourfour: str, seq: str, filename: str | None, content_type: str, body: bytes
    ) -> dict[str, str]:
        """Store an uploaded file; its id, for the revision's attachments list."""
        name = PurePosixPath((filename or "").replace("\\", "/")).name
        if not name:
            raise bad_request("name the file in the X-File-Name header")
        with self._lock:
            self._open(fourfour, seq)
        asset = self.assets.add(name, content_type, body)
        return {"file_id": asset.asset_id, "filename": name}

    def create_source(self, fourfour: str, seq: str, body: Any) -> Source:
        body = _object(body, "a source", ("source_type", "parse_options"))
        source_type = body.get("source_type")
        if not isinstance(source_type, dict) or source_type.get("type") != "upload":
            raise bad_request('the local portal has upload sources only: {"type": "upload"}')
        if not isinstance(source_type.get("filename"), str):
            raise bad_request("an upload source needs a filename")
        with self._lock:
            revision = self._open(fourfour, seq)
            source = Source(
                id=next(self._ids),
                revision=(revision.fourfour, revision.revision_seq),
                source_type=copy.deepcopy(source_type),
                parse_options=copy.deepcopy(body.get("parse_options") or {}),
            )
            revision.sources.append(source)
            self._sources[source.id] = source
        return source

    def source(self, source_id: str) -> Source:
        source = self._sources.get(int(source_id)) if source_id.isdigit() else None
        if source is None:
            raise _not_found(f"source {source_id}", id=source_id)
        return source

    def upload(self, source_id: str, content_type: str, body: bytes) -> Source:
        """A source's CSV: its input schema, and an output schema of every column as text."""
        if content_type.split(";")[0].strip().lower() != "text/csv":
            raise bad_request("upload the source's bytes as CSV, with Content-Type text/csv")
        header, rows = _parse_csv(body)
        fields: dict[str, str] = {}
        for label in header:
            name = normalise_field_name(label)
            if name in fields:
                raise bad_request(f"headers {fields[name]!r} and {label!r} both become {name}")
            fields[name] = label
        with self._lock:
            source = self.source(source_id)
            self._open(*source.revision)
            if source.finished_at is not None:
                raise bad_request(f"source {source_id} has its bytes already")
            input_schema = InputSchema(
                id=next(self._ids),
                columns=[
                    {
                        "id": next(self._ids),
                        "field_name": name,
                        "display_name": label.strip(),
                        "position": position,
                    }
                    for position, (name, label) in enumerate(fields.items(), start=1)
                ],
                rows=rows,
            )
            initial = [
                {
                    "field_name": column["field_name"],
                    "display_name": column["display_name"],
                    "position": column["position"],
                    "transform": {"transform_expr": f"`{column['field_name']}`"},
                }
                for column in input_schema.columns
            ]
            input_schema.output_schemas.append(self._output_schema(input_schema, initial))
            source.schemas.append(input_schema)
            source.content_type = "text/csv"
            source.finished_at = _now()
        return source

    def create_output_schema(
        self, source_id: str, input_schema_id: str, body: Any, *, increment_revision: bool = True
    ) -> OutputSchema:
        """A new output schema of an input schema; the revision's output schema, unless
        `increment_revision` is false (apis_publishing.json, "Create a new schema")."""
        body = _object(body, "an output schema", ("output_columns",))
        with self._lock:
            source = self.source(source_id)
            revision = self._open(*source.revision)
            input_schema = next(
                (schema for schema in source.schemas if str(schema.id) == input_schema_id), None
            )
            if input_schema is None:
                raise _not_found(f"input schema {input_schema_id}", id=input_schema_id)
            schema = self._output_schema(input_schema, body.get("output_columns"))
            input_schema.output_schemas.append(schema)
            if increment_revision:
                revision.output_schema_id = schema.id
        return schema

    def _output_schema(self, input_schema: InputSchema, items: Any) -> OutputSchema:
        """An output schema of `items` (output columns), with the source's rows transformed."""
        if not isinstance(items, list) or not items:
            raise bad_request("output_columns must be a non-empty JSON array")
        input_fields = [column["field_name"] for column in input_schema.columns]
        ids = self._ids.__next__
        parsed = [
            _schema_column(item, index, input_fields, ids) for index, item in enumerate(items)
        ]
        names = [column["field_name"] for column, _ in parsed]
        repeated = sorted({name for name in names if names.count(name) > 1})
        if repeated:
            raise bad_request(f"output field names must be unique: {', '.join(repeated)}")
        if sum(column["is_primary_key"] for column, _ in parsed) > 1:
            raise bad_request("at most one output column is the primary key")
        parsed.sort(key=lambda pair: pair[0]["position"])
        reads = [(column, input_fields.index(source)) for column, source in parsed]
        rows, errors = [], 0
        for texts in input_schema.rows:
            try:
                row = {
                    column["field_name"]: transformed(
                        texts[index], column["transform"]["output_soql_type"]
                    )
                    for column, index in reads
                }
            except ValueError:
                errors += 1
                continue
            key = next((c["field_name"] for c, _ in reads if c["is_primary_key"]), None)
            if key is not None and row[key] is None:
                errors += 1  # a primary key must be filled
                continue
            rows.append(row)
        return OutputSchema(
            id=next(self._ids),
            input_schema_id=input_schema.id,
            columns=[column for column, _ in parsed],
            rows=rows,
            total_rows=len(input_schema.rows),
            error_count=errors,
        )

    # Applying ----------------------------------------------------------------------------

    def apply(self, fourfour: str, seq: str, body: Any) -> dict[str, Any]:
        """Apply the revision; its task set (status "successful", or "failure" and the
        revision left open)."""
        body = _object(body or {}, "an apply", ("output_schema_id", "resource"))
        with self._lock:
            revision = self._open(fourfour, seq)
            schema_id = body.get("output_schema_id", revision.output_schema_id)
            schema = revision.output_schema(schema_id) if schema_id is not None else None
            started = _now()
            task = {"id": next(self._ids), "created_at": started}
            try:
                self.store.apply_revision(
                    revision.fourfour,
                    lambda view, ids: self._applied_view(revision, schema, view, ids),
                    create=revision.new_asset,
                    rows=schema.rows if schema is not None else None,
                    replace=revision.action["type"] == "replace",
                )
            except PortalError as error:
                task.update(status="failure", finished_at=_now())
                task["log"] = [
                    {
                        "stage": "failure",
                        "time": task["finished_at"],
                        "details": {"message": error.message},
                    }
                ]
                revision.task_sets.append(task)
                return task
            finished = _now()
            task.update(status="successful", finished_at=finished)
            task["log"] = [
                {"stage": "started", "time": started, "details": {}},
                {
                    "stage": "successful",
                    "time": finished,
                    "details": {
                        "output_schema_id": schema.id if schema else None,
                        "rows": len(schema.rows) if schema else 0,
                    },
                },
            ]
            if schema is not None:
                revision.output_schema_id = schema.id
            revision.task_sets.append(task)
            revision.closed_at = finished
        return task

    @staticmethod
    def _applied_view(
        revision: Revision,
        schema: OutputSchema | None,
        current: dict[str, Any] | None,
        new_column_id: ColumnIds,
    ) -> dict[str, Any]:
        """The dataset's view after the revision: pending metadata, schema, attachments."""
        view = copy.deepcopy(current) if current else empty_view(revision.fourfour)
        for key in APPLIED_METADATA:
            if key in revision.metadata:
                view[key] = copy.deepcopy(revision.metadata[key])
        if "license" in revision.metadata:
            license_value = revision.metadata["license"]
            view.pop("licenseId", None)
            if license_value is None:
                view.pop("license", None)
            else:
                name = license_value if isinstance(license_value, str) else license_value["name"]
                view["license"] = {"name": name}
        metadata = view.setdefault("metadata", {})
        if schema is not None:
            view["columns"] = _view_columns(view["columns"], schema, new_column_id)
            key = schema.primary_key
            key_id = next((c["id"] for c in view["columns"] if c["fieldName"] == key), None)
            if key_id is None:
                metadata.pop("rowIdentifier", None)
            else:
                metadata["rowIdentifier"] = key_id
        initial = _dsmapi_attachments({"metadata": {"attachments": revision.view_attachments}})
        if revision.attachments != initial:
            metadata["attachments"] = _view_attachments(
                revision.attachments, revision.view_attachments
            )
        return view
