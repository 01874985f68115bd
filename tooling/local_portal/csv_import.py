"""Loading `<dataset-id>.csv` files of the data folder as datasets, only when they change.

A CSV (with an optional `<dataset-id>.meta.json` view sidecar) is the whole truth about its
dataset's rows, but re-importing it must not look like a rewrite to the pipeline, which
reads `:updated_at` watermarks. So an import keeps the `:id`, `:created_at` and
`:updated_at` of rows whose content did not change (matched by row identifier when the
dataset has one, else by content), gives changed and new rows `:updated_at` = now, and drops
rows gone from the file. Columns named `:created_at` / `:updated_at` in the CSV set those
system fields instead (a generator says when each row version was written). DuckDB's CSV
reader does the work in SQL: a file may have millions of rows.

Headers become field names as Socrata derives them (`TimeCreate` -> `timecreate`). A sidecar
is the portal's own fixture format, not Socrata's: a view's keys, columns given by field
name, and the row identifier as a field name (`rowIdentifier` and `custom_fields` may sit at
its top level); the view it gives keeps the row identifier as a column id, as every view
here does. Its columns come first, then the CSV's other headers as text:

    {"name": "Calls for Service 2022", "attribution": "Orleans Parish Communication District",
     "rowIdentifier": "nopd_item",
     "columns": [{"fieldName": "nopd_item", "name": "NOPD_Item", "dataTypeName": "text"},
                 {"fieldName": "mapx", "name": "MapX", "dataTypeName": "number"},
                 {"fieldName": "timecreate", "dataTypeName": "calendar_date"}],
     "custom_fields": {"Lineage": {"source": "OPCD CAD"}}}
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb

from tooling.local_portal.errors import bad_request
from tooling.local_portal.row_ids import NEW_ROW_ID_SQL
from tooling.local_portal.schema import (
    create_table_sql,
    scalar_count,
    table_name,
)
from tooling.local_portal.soql import quote_identifier
from tooling.local_portal.views import (
    ColumnIds,
    column_ids_after,
    filter_columns,
    merge_view,
    normalise_field_name,
    row_identifier_field,
)

log = logging.getLogger(__name__)

READ_CSV = (
    "read_csv($path, all_varchar = true, header = true, delim = ',', quote = '\"', escape = '\"')"
)
SYSTEM_HEADERS = {":created_at": "_csv_created_at", ":updated_at": "_csv_updated_at"}
# A timestamp that names its zone (Z or an offset) after a time of day.
_ZONED_RE = r"[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?\s*(Z|[+-]\d{2}(:?\d{2})?)$"
# A floating (zone-less) ISO date or date-time, which Socrata renders 2022-01-01T01:07:00.000.
_FLOATING_RE = r"\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?)?"
_HASH_CHUNK = 1 << 20


@dataclass(frozen=True)
class ImportReport:
    """What one import did to a dataset's rows."""

    dataset_id: str
    rows: int
    created: int
    updated: int
    unchanged: int
    deleted: int
    skipped: int  # rows without a row identifier value, or older duplicates of one

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.deleted)


def _stat(path: Path) -> dict[str, int]:
    status = path.stat()
    return {"size": status.st_size, "mtime_ns": status.st_mtime_ns}


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_HASH_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def file_fingerprint(
    csv_path: Path, meta_path: Path | None, previous: dict[str, Any] | None
) -> tuple[dict[str, Any], bool]:
    """The files' fingerprint and whether their content changed since `previous`.

    Size and mtime decide cheaply that nothing changed; otherwise the sha256 of the content
    decides, so a touched but identical file is not imported again.
    """
    paths = {"csv": csv_path, "meta": meta_path}
    stats = {kind: _stat(path) if path else None for kind, path in paths.items()}
    previous = previous or {}

    def same_stat(kind: str) -> bool:
        old = previous.get(kind)
        if stats[kind] is None or old is None:
            return stats[kind] is None and old is None
        return all(old.get(key) == value for key, value in stats[kind].items())

    if previous and all(same_stat(kind) for kind in paths):
        return previous, False
    fingerprint: dict[str, Any] = {
        kind: {**stats[kind], "sha256": _sha256(path)} if path else None
        for kind, path in paths.items()
    }

    def same_content(kind: str) -> bool:
        old, new = previous.get(kind), fingerprint[kind]
        return (old or {}).get("sha256") == (new or {}).get("sha256")

    return fingerprint, not previous or not all(same_content(kind) for kind in paths)


def read_sidecar(meta_path: Path) -> dict[str, Any]:
    try:
        sidecar = json.loads(meta_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise bad_request(f"{meta_path.name} is not readable JSON: {error}") from None
    if not isinstance(sidecar, dict):
        raise bad_request(f"{meta_path.name} must hold a JSON object")
    return sidecar


def _timestamp_sql(value: str) -> str:
    """A CSV text as a naive UTC timestamp at millisecond precision (NULL when unreadable)."""
    zoned = f"make_timestamp(epoch_us(TRY_CAST({value} AS TIMESTAMPTZ)))"
    return (
        f"date_trunc('millisecond', CASE WHEN regexp_matches({value}, '{_ZONED_RE}') "
        f"THEN {zoned} ELSE TRY_CAST({value} AS TIMESTAMP) END)"
    )


def _floating_sql(value: str) -> str:
    """A calendar_date value in Socrata's rendering when it is an ISO floating timestamp."""
    rendered = f"strftime(TRY_CAST({value} AS TIMESTAMP), '%Y-%m-%dT%H:%M:%S.%g')"
    return (
        f"CASE WHEN regexp_full_match({value}, '{_FLOATING_RE}') "
        f"THEN COALESCE({rendered}, {value}) ELSE {value} END"
    )


def _row_hash(alias: str, fields: list[str], present: set[str]) -> str:
    values = [f"{alias}.{quote_identifier(name)}" if name in present else "NULL" for name in fields]
    return f"md5(to_json(CAST([{', '.join(values)}] AS VARCHAR[])))"


def import_csv(
    cursor: duckdb.DuckDBPyConnection,
    *,
    dataset_id: str,
    csv_path: Path,
    base_view: dict[str, Any],
    sidecar: dict[str, Any] | None,
    table_exists: bool,
    now: datetime,
    new_column_id: ColumnIds | None = None,
) -> tuple[dict[str, Any], ImportReport]:
    """Rebuild the dataset's table from `csv_path` inside the caller's transaction.

    `base_view` is the dataset's current view (its columns are the current table's columns
    when `table_exists`). Returns the dataset's new view, whose columns are the sidecar's and
    then the CSV's other headers (new ones numbered by `new_column_id`), and what happened
    to the rows.
    """
    path_param = {"path": str(csv_path)}
    described = cursor.execute(f"DESCRIBE SELECT * FROM {READ_CSV}", path_param).fetchall()
    headers = [row[0] for row in described]
    system_headers: dict[str, str] = {}
    data_headers: dict[str, str] = {}
    for header in headers:
        label = header.strip()
        if label in SYSTEM_HEADERS:
            system_headers[label] = header
        elif label.startswith(":"):
            log.warning("%s: ignoring column %r, not a settable system field", csv_path.name, label)
        else:
            field_name = normalise_field_name(header)
            if field_name in data_headers:
                raise bad_request(
                    f"{csv_path.name}: headers {data_headers[field_name]!r} and {header!r} "
                    f"both become the field {field_name}"
                )
            data_headers[field_name] = header

    old_fields = [column["fieldName"] for column in base_view["columns"]] if table_exists else []
    known = {column["fieldName"] for column in base_view["columns"]}
    new_column_id = new_column_id or column_ids_after([base_view])
    view = merge_view(
        base_view,
        {
            "columns": [
                {"fieldName": name, "name": header.strip()}
                for name, header in data_headers.items()
                if name not in known
            ]
        },
        new_column_id,
    )
    view = merge_view(view, sidecar or {}, new_column_id)
    sidecar_fields = [
        column["fieldName"]
        for column in (sidecar or {}).get("columns") or []
        if not column["fieldName"].startswith(":")
    ]
    fields = [*sidecar_fields, *(name for name in data_headers if name not in sidecar_fields)]
    view = filter_columns(view, fields)
    types = {column["fieldName"]: column["dataTypeName"] for column in view["columns"]}
    row_identifier = row_identifier_field(view)

    selects = ["row_number() OVER () AS _pos"]
    for name in fields:
        if name in data_headers:
            value = f"NULLIF({quote_identifier(data_headers[name])}, '')"
            if types[name] == "calendar_date":
                value = _floating_sql(value)
        else:
            value = "CAST(NULL AS VARCHAR)"
        selects.append(f"{value} AS {quote_identifier(name)}")
    for label, alias in SYSTEM_HEADERS.items():
        if label in system_headers:
            value = _timestamp_sql(f"NULLIF({quote_identifier(system_headers[label])}, '')")
        else:
            value = "CAST(NULL AS TIMESTAMP)"
        selects.append(f"{value} AS {alias}")
    cursor.execute(
        f"CREATE TEMP TABLE _csv AS SELECT {', '.join(selects)} FROM {READ_CSV}", path_param
    )
    total = scalar_count(cursor, "SELECT count(*) FROM _csv")

    key = quote_identifier(row_identifier) if row_identifier else None
    if key:
        cursor.execute(
            f"CREATE TEMP TABLE _new AS SELECT * FROM _csv WHERE {key} IS NOT NULL QUALIFY "
            f"row_number() OVER (PARTITION BY {key} "
            "ORDER BY _csv_updated_at DESC NULLS LAST, _pos DESC) = 1"
        )
    else:
        cursor.execute("CREATE TEMP TABLE _new AS SELECT * FROM _csv")
    kept = scalar_count(cursor, "SELECT count(*) FROM _new")
    if kept < total:
        log.warning(
            "%s: skipped %d rows without a %s or repeating one (the latest version is kept)",
            csv_path.name,
            total - kept,
            row_identifier,
        )

    table = quote_identifier(table_name(dataset_id))
    old_hash = _row_hash("o", fields, set(old_fields))
    old_key = f"o.{key}" if key and row_identifier in old_fields else "CAST(NULL AS VARCHAR)"
    if table_exists:
        cursor.execute(
            "CREATE TEMP TABLE _old AS SELECT *, "
            "row_number() OVER (PARTITION BY _hash ORDER BY _id) AS _k FROM ("
            f'SELECT o.":id" AS _id, o.":created_at" AS _created, o.":updated_at" AS _updated, '
            f"{old_key} AS _key, {old_hash} AS _hash FROM {table} o)"
        )
    else:
        cursor.execute(
            "CREATE TEMP TABLE _old (_id VARCHAR, _created TIMESTAMP, _updated TIMESTAMP, "
            "_key VARCHAR, _hash VARCHAR, _k BIGINT)"
        )
    old_rows = scalar_count(cursor, "SELECT count(*) FROM _old")

    # Match by row identifier, or else by content (the k-th copy of a row to the k-th copy).
    match = f"o._key = n.{key}" if key else "o._hash = n._hash AND o._k = n._k"
    cursor.execute(
        "CREATE TEMP TABLE _merged AS SELECT o._id AS _old_id, o._created AS _old_created, "
        "o._updated AS _old_updated, o._hash AS _old_hash, n.* FROM ("
        "SELECT *, row_number() OVER (PARTITION BY _hash ORDER BY _pos) AS _k FROM ("
        f"SELECT *, {_row_hash('n', fields, set(fields))} AS _hash FROM _new n)) n "
        f"LEFT JOIN _old o ON {match}"
    )
    created, updated, unchanged = cursor.execute(
        "SELECT count(*) FILTER (WHERE _old_id IS NULL), "
        "count(*) FILTER (WHERE _old_id IS NOT NULL AND _old_hash <> _hash), "
        "count(*) FILTER (WHERE _old_id IS NOT NULL AND _old_hash = _hash) FROM _merged"
    ).fetchone() or (0, 0, 0)

    staging = table_name(dataset_id) + "__import"
    cursor.execute(f"DROP TABLE IF EXISTS {quote_identifier(staging)}")
    cursor.execute(create_table_sql(staging, fields))
    values = "".join(f", {quote_identifier(name)}" for name in fields)
    cursor.execute(
        f"INSERT INTO {quote_identifier(staging)} SELECT COALESCE(_old_id, {NEW_ROW_ID_SQL}), "
        "COALESCE(_csv_created_at, _old_created, _csv_updated_at, $now), "
        "COALESCE(_csv_updated_at, CASE WHEN _old_hash = _hash THEN _old_updated END, $now)"
        f"{values} FROM _merged ORDER BY _pos",
        {"now": now},
    )
    if table_exists:
        cursor.execute(f"DROP TABLE {table}")
    cursor.execute(f"ALTER TABLE {quote_identifier(staging)} RENAME TO {table}")
    report = ImportReport(
        dataset_id=dataset_id,
        rows=kept,
        created=created,
        updated=updated,
        unchanged=unchanged,
        deleted=old_rows - updated - unchanged,
        skipped=total - kept,
    )
    return view, report
