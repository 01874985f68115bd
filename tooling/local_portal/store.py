"""The portal's datasets, kept in one DuckDB file and safe to use from many request threads.

`PortalStore(data_dir)` opens (or creates) `data_dir/portal.duckdb`, loads the datasets it
holds, and imports every `<dataset-id>.csv` of the folder that changed since its last import
(see `csv_import`). Datasets created or written through the API live in the same file, so
they survive restarts. A dataset whose CSV disappears keeps its last rows; when the CSV comes
back, or changes, it is the truth again, over anything written through the API meanwhile.

How a view changes is decided by pure functions elsewhere (`view_put`, `metadata_api`,
`dsmapi`, `views` for the local seeds and sidecars); the store applies their result with the
table it implies (columns added or dropped, a new row identifier checked) in one transaction.
Column ids are unique across the portal, as on Socrata (`_column_ids`).

Thread safety: one DuckDB connection, and a cursor (DuckDB's per-thread connection) per
operation. Writes also take one lock and run in one transaction, so a refused request leaves
nothing behind and readers never see half a write.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.csv as pa_csv

from tooling.local_portal.csv_import import ImportReport, file_fingerprint, import_csv, read_sidecar
from tooling.local_portal.errors import PortalError, bad_request, missing_dataset
from tooling.local_portal.fast_rows import payload_columns
from tooling.local_portal.row_ids import NEW_ROW_ID_SQL
from tooling.local_portal.rows import PayloadColumns
from tooling.local_portal.schema import (
    DATASET_ID_RE,
    DB_FILE,
    METADATA_DDL,
    create_table_sql,
    epoch_seconds,
    scalar_count,
    table_name,
    utc_now,
)
from tooling.local_portal.soql import NUMERIC_TYPES, SoqlQuery, compile_query, quote_identifier
from tooling.local_portal.views import (
    ColumnIds,
    catalog_entry,
    column_ids_after,
    empty_view,
    merge_view,
    migrate_view,
    render_view,
    row_identifier_field,
    seed_view,
)

log = logging.getLogger(__name__)

CSV_BATCH_ROWS = 100_000
# A column retyped by a schema: (SQL telling a stored text {v} fits, SQL of its new text).
_RETYPING = {
    "number": ("TRY_CAST(trim({v}) AS DOUBLE) IS NOT NULL", "trim({v})"),
    "calendar_date": (
        "TRY_CAST({v} AS TIMESTAMP) IS NOT NULL",
        "strftime(TRY_CAST({v} AS TIMESTAMP), '%Y-%m-%dT%H:%M:%S.%g')",
    ),
    "checkbox": (
        "lower(trim({v})) IN ('true', 'false', '1', '0')",
        "CASE WHEN lower(trim({v})) IN ('true', '1') THEN 'true' ELSE 'false' END",
    ),
}
# A backfill commits a 10,000-row chunk several times a second. At DuckDB's default (16 MB of
# log) every few chunks were checkpointed, rewriting the same unfinished row group each time:
# about a tenth of a full publish's time. The log is still checkpointed, and on close.
CHECKPOINT_THRESHOLD = "256MB"


@dataclass(frozen=True)
class Dataset:
    """One dataset's metadata; replaced, never mutated, so readers need no lock."""

    id: str
    view: dict[str, Any]
    created_at: float
    rows_updated_at: float
    view_last_modified: float
    source: dict[str, Any] | None = None  # fingerprint of the CSV it was last imported from

    @property
    def table(self) -> str:
        return quote_identifier(table_name(self.id))

    @property
    def fields(self) -> list[str]:
        return [column["fieldName"] for column in self.view["columns"]]

    @property
    def column_types(self) -> dict[str, str]:
        return {column["fieldName"]: column["dataTypeName"] for column in self.view["columns"]}

    @property
    def row_identifier(self) -> str | None:
        """The row identifier's field name (the view keeps its column id), or None."""
        return row_identifier_field(self.view)

    def rendered(self) -> dict[str, Any]:
        return render_view(
            self.id,
            self.view,
            created_at=self.created_at,
            rows_updated_at=self.rows_updated_at,
            view_last_modified=self.view_last_modified,
        )

    def catalog_entry(self, *, base_url: str, domain: str) -> dict[str, Any]:
        return catalog_entry(
            self.id,
            self.view,
            created_at=self.created_at,
            rows_updated_at=self.rows_updated_at,
            view_last_modified=self.view_last_modified,
            base_url=base_url,
            domain=domain,
        )


@dataclass(frozen=True)
class Selection:
    """A query's answer: per row one text per field, or one JSON object text when asked."""

    fields: tuple[str, ...]
    types: tuple[str, ...]
    rows: list[tuple[Any, ...]]


@dataclass
class _WriteOutcome:
    created: int = 0
    updated: int = 0  # rows named by the payload that exist, changed or not
    changed: int = 0  # of those, rows whose content changed
    deleted: int = 0
    errors: int = 0  # deletes of rows that were not there (Socrata counts each an error)


class PortalStore:
    """Datasets in `data_dir/portal.duckdb`, plus the folder's CSV files imported into it."""

    def __init__(self, data_dir: Path | str) -> None:
        self.data_dir = Path(data_dir)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self._connection: duckdb.DuckDBPyConnection | None = duckdb.connect(
            str(self.data_dir / DB_FILE)
        )
        self._connection.execute(f"SET checkpoint_threshold = '{CHECKPOINT_THRESHOLD}'")
        self._write_lock = threading.RLock()
        self._cursor_lock = threading.Lock()
        self._datasets: dict[str, Dataset] = {}
        try:
            self._open()
        except BaseException:
            self.close()
            raise

    def _open(self) -> None:
        with self._transaction() as cursor:
            for statement in METADATA_DDL:
                cursor.execute(statement)
            rows = cursor.execute(
                "SELECT id, view, created_at, rows_updated_at, view_last_modified, source "
                "FROM portal_datasets"
            ).fetchall()
        for dataset_id, view, created, rows_updated, view_modified, source in rows:
            stored = json.loads(view)
            dataset = Dataset(
                dataset_id,
                migrate_view(stored),
                created,
                rows_updated,
                view_modified,
                json.loads(source) if source else None,
            )
            if dataset.view != stored:
                with self._transaction() as cursor:
                    self._save(cursor, dataset)
            self._datasets[dataset_id] = dataset
        self.sync_csv_files()

    def close(self) -> None:
        with self._write_lock, self._cursor_lock:
            if self._connection is not None:
                self._connection.close()
                self._connection = None

    def __enter__(self) -> PortalStore:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @contextmanager
    def _cursor(self) -> Iterator[duckdb.DuckDBPyConnection]:
        with self._cursor_lock:
            if self._connection is None:
                raise RuntimeError("the portal store is closed")
            cursor = self._connection.cursor()
        try:
            yield cursor
        finally:
            cursor.close()

    @contextmanager
    def _transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        with self._write_lock, self._cursor() as cursor:
            cursor.begin()
            try:
                yield cursor
            except BaseException:
                cursor.rollback()
                raise
            cursor.commit()

    def _save(self, cursor: duckdb.DuckDBPyConnection, dataset: Dataset) -> None:
        cursor.execute(
            "INSERT OR REPLACE INTO portal_datasets VALUES (?, ?, ?, ?, ?, ?)",
            [
                dataset.id,
                json.dumps(dataset.view),
                dataset.created_at,
                dataset.rows_updated_at,
                dataset.view_last_modified,
                json.dumps(dataset.source) if dataset.source else None,
            ],
        )

    # Reading ----------------------------------------------------------------------------

    def datasets(self) -> list[Dataset]:
        return [self._datasets[key] for key in sorted(self._datasets)]

    def dataset(self, dataset_id: str) -> Dataset:
        dataset = self._datasets.get(dataset_id)
        if dataset is None:
            raise missing_dataset(dataset_id)
        return dataset

    def exists(self, dataset_id: str) -> bool:
        return dataset_id in self._datasets

    def select(self, dataset_id: str, query: SoqlQuery, *, as_json: bool = False) -> Selection:
        """Run a SoQL query; rows carry texts, or one JSON object text each when `as_json`."""
        dataset = self.dataset(dataset_id)
        compiled = compile_query(query, table=dataset.table, columns=dataset.column_types)
        with self._cursor() as cursor:
            if as_json:
                rows = cursor.execute(compiled.json_sql, compiled.json_params).fetchall()
            else:
                rows = cursor.execute(compiled.sql, compiled.params).fetchall()
        return Selection(compiled.fields, compiled.types, rows)

    def select_csv(
        self, dataset_id: str, query: SoqlQuery, target: Path
    ) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """Write a SoQL query's answer to `target` as CSV; its fields and their types.

        Batches go from DuckDB through Arrow's CSV writer, so a million-row answer never sits
        in memory whole. Every value is quoted and a null is an empty unquoted field, so a
        reader tells an empty text from a missing one.
        """
        dataset = self.dataset(dataset_id)
        compiled = compile_query(query, table=dataset.table, columns=dataset.column_types)
        with self._cursor() as cursor:
            # A relation streams its batches; a DB-API result would copy every row first.
            relation = cursor.sql(compiled.sql, params=dict(compiled.params))
            batches = relation.to_arrow_reader(CSV_BATCH_ROWS)
            schema = pa.schema([(name, pa.string()) for name in compiled.fields])
            options = pa_csv.WriteOptions(quoting_style="all_valid")
            with pa_csv.CSVWriter(str(target), schema, write_options=options) as writer:
                for batch in batches:
                    columns = [column.cast(pa.string()) for column in batch.columns]
                    writer.write_batch(pa.RecordBatch.from_arrays(columns, schema=schema))
        return compiled.fields, compiled.types

    # Metadata ---------------------------------------------------------------------------

    def _column_ids(self) -> ColumnIds:
        """New column ids, above every id of every dataset (callers hold the write lock)."""
        return column_ids_after(dataset.view for dataset in self._datasets.values())

    def update_view(self, dataset_id: str, update: Any) -> tuple[Dataset, bool]:
        """Merge a local update (a sidecar's shape, see `views.merge_view`) into the dataset's
        view, creating the dataset when it is new; not a Socrata endpoint (tests and tools).

        Returns the dataset and whether it was created. New columns are added to the table;
        a new row identifier must be filled and unique in the rows already there.
        """
        if not DATASET_ID_RE.fullmatch(dataset_id):
            raise bad_request(f"{dataset_id!r} is not a dataset id like abcd-1234")
        with self._write_lock:
            existing = self._datasets.get(dataset_id)
            base = existing.view if existing else empty_view(dataset_id)
            view = merge_view(base, update, self._column_ids())
            return self._store_view(dataset_id, view, replace_table=False), existing is None

    def seed_dataset(self, dataset_id: str, body: Any) -> Dataset:
        """A published, empty dataset with the view `body` (as GET /api/views renders one),
        replacing any dataset of that id: `PUT /_portal/views/<id>`, a local extension that
        stands in for "the city's staff created this dataset earlier"."""
        if not DATASET_ID_RE.fullmatch(dataset_id):
            raise bad_request(f"{dataset_id!r} is not a dataset id like abcd-1234")
        with self._write_lock:
            view = seed_view(body, self._column_ids())
            return self._store_view(dataset_id, view, replace_table=True)

    def change_view(
        self, dataset_id: str, change: Callable[[dict[str, Any]], dict[str, Any]]
    ) -> Dataset:
        """Replace an existing dataset's view by `change(view)` (which may refuse by raising).

        The view PUT and the Metadata API PATCH go through here; the table follows the view.
        """
        with self._write_lock:
            return self._store_view(
                dataset_id, change(self.dataset(dataset_id).view), replace_table=False
            )

    def _store_view(self, dataset_id: str, view: dict[str, Any], *, replace_table: bool) -> Dataset:
        """Save `view` as the dataset's, creating, altering or recreating its table to match."""
        existing = None if replace_table else self._datasets.get(dataset_id)
        now = time.time()
        if existing is None:
            dataset = Dataset(dataset_id, view, now, now, now)
        else:
            dataset = dataclasses.replace(existing, view=view, view_last_modified=now)
        with self._transaction() as cursor:
            if replace_table:
                cursor.execute(f"DROP TABLE IF EXISTS {dataset.table}")
            self._match_table(cursor, existing, dataset)
            self._save(cursor, dataset)
        self._datasets[dataset_id] = dataset
        return dataset

    def _match_table(
        self, cursor: duckdb.DuckDBPyConnection, existing: Dataset | None, dataset: Dataset
    ) -> None:
        """Make the dataset's table hold the view's fields; check a new row identifier."""
        if existing is None:
            cursor.execute(create_table_sql(table_name(dataset.id), dataset.fields))
            return
        for name in dataset.fields:
            if name not in existing.fields:
                cursor.execute(
                    f"ALTER TABLE {dataset.table} ADD COLUMN {quote_identifier(name)} VARCHAR"
                )
        for name in existing.fields:
            if name not in dataset.fields:
                cursor.execute(f"ALTER TABLE {dataset.table} DROP COLUMN {quote_identifier(name)}")
        old_types = existing.column_types
        for name, data_type in dataset.column_types.items():
            if name in old_types and old_types[name] != data_type:
                self._retype(cursor, dataset, name, data_type)
        if dataset.row_identifier not in (None, existing.row_identifier):
            self._check_row_identifier(cursor, dataset)

    @staticmethod
    def _retype(
        cursor: duckdb.DuckDBPyConnection, dataset: Dataset, name: str, data_type: str
    ) -> None:
        """Convert a retyped column's stored texts to the new type's rendering; refuse when
        one does not convert (text, point and location take any text as it is)."""
        kind = "number" if data_type in NUMERIC_TYPES else data_type
        if kind not in _RETYPING:
            return
        column = quote_identifier(name)
        fits, converted = (sql.format(v=column) for sql in _RETYPING[kind])
        misfits = scalar_count(
            cursor,
            f"SELECT count(*) FROM {dataset.table} WHERE {column} IS NOT NULL AND NOT ({fits})",
        )
        if misfits:
            raise bad_request(f"{name} cannot become {data_type}: {misfits} rows hold other values")
        cursor.execute(
            f"UPDATE {dataset.table} SET {column} = {converted} WHERE {column} IS NOT NULL"
        )

    def apply_revision(
        self,
        dataset_id: str,
        build_view: Callable[[dict[str, Any] | None, ColumnIds], dict[str, Any]],
        *,
        create: bool,
        rows: list[dict[str, Any]] | None = None,
        replace: bool = False,
    ) -> Dataset:
        """A Dataset Management API revision's changes, in one transaction.

        `build_view(current view or None, new column ids)` gives the new view: the table is
        created (`create`) or its columns made equal to the view's; then `rows` (None: rows
        left alone) replace the dataset's rows (`replace`) or are upserted into them.
        """
        with self._write_lock:
            existing = self._datasets.get(dataset_id)
            if create and existing is not None:
                raise bad_request(f"a dataset {dataset_id} exists already")
            if not create:
                existing = self.dataset(dataset_id)
            view = build_view(existing.view if existing else None, self._column_ids())
            now = utc_now()
            stamp = epoch_seconds(now)
            if existing is None:
                dataset = Dataset(dataset_id, view, stamp, stamp, stamp)
            else:
                dataset = dataclasses.replace(existing, view=view, view_last_modified=stamp)
            with self._transaction() as cursor:
                if replace and existing is not None:
                    deleted = scalar_count(cursor, f"DELETE FROM {dataset.table}")
                    if deleted:
                        dataset = dataclasses.replace(dataset, rows_updated_at=stamp)
                self._match_table(cursor, existing, dataset)
                if rows:
                    payload = payload_columns(rows, dataset.column_types, dataset.row_identifier)
                    outcome = self._apply(cursor, dataset, payload, now)
                    if outcome.created or outcome.changed or outcome.deleted:
                        dataset = dataclasses.replace(dataset, rows_updated_at=stamp)
                self._save(cursor, dataset)
            self._datasets[dataset_id] = dataset
        return dataset

    def delete_dataset(self, dataset_id: str) -> None:
        with self._write_lock:
            dataset = self.dataset(dataset_id)
            with self._transaction() as cursor:
                cursor.execute(f"DROP TABLE {dataset.table}")
                cursor.execute("DELETE FROM portal_datasets WHERE id = ?", [dataset_id])
            del self._datasets[dataset_id]

    @staticmethod
    def _check_row_identifier(cursor: duckdb.DuckDBPyConnection, dataset: Dataset) -> None:
        name = dataset.row_identifier
        key = quote_identifier(name or "")
        missing, repeated = cursor.execute(
            f"SELECT count(*) - count({key}), count({key}) - count(DISTINCT {key}) "
            f"FROM {dataset.table}"
        ).fetchone() or (0, 0)
        if missing or repeated:
            raise bad_request(
                f"{name} cannot identify rows: {missing} rows have no value "
                f"and {repeated} repeat another row's value"
            )

    # Rows -------------------------------------------------------------------------------

    def upsert(self, dataset_id: str, rows: Any) -> dict[str, int]:
        """Socrata's upsert: create, update (named fields only) or delete rows."""
        return self._write_rows(dataset_id, rows, replace=False)

    def replace(self, dataset_id: str, rows: Any) -> dict[str, int]:
        """Replace every row of the dataset with the payload's rows."""
        return self._write_rows(dataset_id, rows, replace=True)

    def _write_rows(self, dataset_id: str, rows: Any, *, replace: bool) -> dict[str, int]:
        with self._write_lock:
            dataset = self.dataset(dataset_id)
            payload = payload_columns(rows, dataset.column_types, dataset.row_identifier)
            now = utc_now()
            with self._transaction() as cursor:
                replaced = 0
                if replace:
                    replaced = scalar_count(cursor, f"DELETE FROM {dataset.table}")
                outcome = self._apply(cursor, dataset, payload, now)
                if replaced or outcome.created or outcome.changed or outcome.deleted:
                    dataset = dataclasses.replace(dataset, rows_updated_at=epoch_seconds(now))
                    self._save(cursor, dataset)
            self._datasets[dataset_id] = dataset
        by_sid = sum(payload.by_sid)
        return {
            "By RowIdentifier": sum(key is not None for key in payload.keys) - by_sid,
            "By SID": by_sid,
            "Errors": outcome.errors,
            "Rows Created": outcome.created,
            "Rows Deleted": replaced + outcome.deleted,
            "Rows Updated": outcome.updated,
        }

    @staticmethod
    def _load_payload(cursor: duckdb.DuckDBPyConnection, payload: PayloadColumns) -> None:
        """The payload as the relation `_payload`, through Arrow (no per-value parameters).

        A list handed to DuckDB as a parameter is converted value by value; an Arrow array is
        built in one pass and scanned in place, which is most of the difference at 10,000 rows.
        """
        arrays: dict[int, pa.Array] = {}

        def array(values: Sequence[Any], kind: pa.DataType) -> pa.Array:
            if isinstance(values, pa.Array):  # the fast path's columns
                return values
            if id(values) not in arrays:  # a list shared by several fields converts once
                arrays[id(values)] = pa.array(values, type=kind)
            return arrays[id(values)]

        names = ["_key", "_by_sid", "_delete", "_full"]
        columns = [
            pa.array(payload.keys, type=pa.string()),
            pa.array(payload.by_sid, type=pa.bool_()),
            pa.array(payload.delete, type=pa.bool_()),
            pa.array(payload.full, type=pa.bool_()),
        ]
        for index, (values, named) in enumerate(zip(payload.values, payload.named, strict=True)):
            names += [f"v{index}", f"h{index}"]
            columns += [array(values, pa.string()), array(named, pa.bool_())]
        # Scanned in place by each statement: no copy into a table. The cursor is this write's
        # own, so the name is gone when it closes.
        cursor.register("_payload", pa.Table.from_arrays(columns, names=names))

    @staticmethod
    def _match_keys(cursor: duckdb.DuckDBPyConnection, dataset: Dataset) -> None:
        """`_matched`: the rowid and row identifier of each stored row the payload names."""
        key = quote_identifier(dataset.row_identifier or "")
        cursor.execute(
            f"CREATE OR REPLACE TEMP TABLE _matched AS SELECT t.rowid AS _rid, t.{key} AS _key "
            f"FROM {dataset.table} t SEMI JOIN _payload p ON t.{key} = p._key"
        )

    @staticmethod
    def _apply(
        cursor: duckdb.DuckDBPyConnection,
        dataset: Dataset,
        payload: PayloadColumns,
        now: datetime,
    ) -> _WriteOutcome:
        """Apply a validated payload with set-based statements: delete, update, insert."""
        outcome = _WriteOutcome()
        if not len(payload):
            return outcome
        PortalStore._load_payload(cursor, payload)
        fields = payload.fields

        table = dataset.table
        assignments = {
            name: f"CASE WHEN p.h{index} THEN p.v{index} WHEN p._full THEN NULL "
            f"ELSE {table}.{quote_identifier(name)} END"
            for index, name in enumerate(fields)
        }
        if any(payload.full):
            for name in dataset.fields:
                assignments.setdefault(
                    name, f"CASE WHEN p._full THEN NULL ELSE {table}.{quote_identifier(name)} END"
                )
        row_identifier = dataset.row_identifier
        existing_keys = any(payload.by_sid)  # an update by :id may set a row identifier
        keyed = [
            (by_sid, delete)
            for key, by_sid, delete in zip(
                payload.keys, payload.by_sid, payload.delete, strict=True
            )
            if key is not None
        ]
        # Without updates by :id, the rows a payload names are found in one pass over the
        # table's keys (`_matched`), and each statement reaches them by rowid: three passes
        # over a dataset of millions cost each upsert a third of a second.
        matched = bool(row_identifier) and not existing_keys and bool(keyed)
        if matched:
            PortalStore._match_keys(cursor, dataset)
        for by_sid in (False, True):
            if not any(mode == by_sid for mode, _ in keyed):
                continue
            key = quote_identifier(":id" if by_sid else row_identifier or "")
            mode = f"p._by_sid = {'TRUE' if by_sid else 'FALSE'}"
            # How a payload row reaches its stored row: through `_matched` or by its key.
            if matched:
                join, reach = "JOIN _matched m ON m._key = p._key", f"{table}.rowid = m._rid"
            else:
                join, reach = "", f"{table}.{key} = p._key"
            deletes = sum(mode_ == by_sid and delete for mode_, delete in keyed)
            if deletes:
                # A delete of a row already gone changes nothing and is counted in "Errors"
                # (docs: publishers_soda-producer_upsert.md, "If we were to retry that
                # operation again"): a resent chunk is not an error-free no-op.
                deleted = scalar_count(
                    cursor,
                    f"DELETE FROM {table} USING _payload p {join} "
                    f"WHERE {mode} AND p._delete AND {reach}",
                )
                outcome.deleted += deleted
                outcome.errors += deletes - deleted
                if matched:
                    cursor.execute(
                        "DELETE FROM _matched WHERE _key IN "
                        "(SELECT _key FROM _payload WHERE _delete)"
                    )
            if by_sid:
                missing = cursor.execute(
                    f"SELECT p._key FROM _payload p WHERE {mode} AND NOT p._delete AND NOT EXISTS "
                    f"(SELECT 1 FROM {table} t WHERE t.{key} = p._key) LIMIT 1"
                ).fetchone()
                if missing:
                    raise bad_request(f"no row has :id {missing[0]}")
            stored = "_matched m ON m._key" if matched else f"{table} t ON t.{key}"
            updated = scalar_count(
                cursor,
                f"SELECT count(*) FROM _payload p JOIN {stored} = p._key "
                f"WHERE {mode} AND NOT p._delete",
            )
            outcome.updated += updated
            existing_keys |= bool(updated)
            if assignments and updated:
                sets = ", ".join(
                    f"{quote_identifier(name)} = {value}" for name, value in assignments.items()
                )
                differs = " OR ".join(
                    f"({value}) IS DISTINCT FROM {table}.{quote_identifier(name)}"
                    for name, value in assignments.items()
                )
                outcome.changed += scalar_count(
                    cursor,
                    f'UPDATE {table} SET {sets}, ":updated_at" = $now FROM _payload p {join} '
                    f"WHERE {mode} AND NOT p._delete AND {reach} AND ({differs})",
                    {"now": now},
                )

        columns = [":id", ":created_at", ":updated_at", *fields]
        values = [NEW_ROW_ID_SQL, "$now", "$now", *(f"p.v{i}" for i in range(len(fields)))]
        condition = "NOT p._delete AND NOT p._by_sid"
        # When no payload key matched a row (a backfill's new rows), the anti-join is skipped:
        # it would scan the whole table's keys for every chunk.
        if matched:
            condition += " AND NOT EXISTS (SELECT 1 FROM _matched m WHERE m._key = p._key)"
        elif row_identifier and existing_keys:
            condition += (
                f" AND NOT EXISTS (SELECT 1 FROM {table} t "
                f"WHERE t.{quote_identifier(row_identifier)} = p._key)"
            )
        outcome.created = scalar_count(
            cursor,
            f"INSERT INTO {table} ({', '.join(map(quote_identifier, columns))}) "
            f"SELECT {', '.join(values)} FROM _payload p WHERE {condition}",
            {"now": now},
        )
        if row_identifier in fields:
            named = payload.named[fields.index(row_identifier)]
            if any(by_sid and name for by_sid, name in zip(payload.by_sid, named, strict=True)):
                PortalStore._check_row_identifier(cursor, dataset)
        return outcome

    # CSV files --------------------------------------------------------------------------

    def sync_csv_files(self) -> list[ImportReport]:
        """Import every `<dataset-id>.csv` of the data folder that changed since its import.

        A file that cannot be imported is logged and skipped; its dataset keeps its rows.
        """
        reports = []
        for csv_path in sorted(self.data_dir.glob("*.csv")):
            dataset_id = csv_path.stem
            if not DATASET_ID_RE.fullmatch(dataset_id):
                log.warning(
                    "ignoring %s: dataset files are named <dataset id>.csv, e.g. abcd-1234.csv",
                    csv_path.name,
                )
                continue
            try:
                report = self._sync_csv(dataset_id, csv_path)
            except (PortalError, duckdb.Error, OSError) as error:
                message = error.message if isinstance(error, PortalError) else error
                log.error("could not import %s, its rows stay as they were: %s", csv_path, message)
                continue
            if report is not None:
                reports.append(report)
        return reports

    def _sync_csv(self, dataset_id: str, csv_path: Path) -> ImportReport | None:
        meta_path = csv_path.with_name(f"{dataset_id}.meta.json")
        sidecar_path = meta_path if meta_path.exists() else None
        with self._write_lock:
            existing = self._datasets.get(dataset_id)
            previous = existing.source if existing else None
            fingerprint, changed = file_fingerprint(csv_path, sidecar_path, previous)
            if not changed:
                if existing is not None and fingerprint != previous:
                    existing = dataclasses.replace(existing, source=fingerprint)
                    with self._transaction() as cursor:
                        self._save(cursor, existing)
                    self._datasets[dataset_id] = existing
                return None
            sidecar = read_sidecar(sidecar_path) if sidecar_path else None
            now = utc_now()
            stamp = epoch_seconds(now)
            with self._transaction() as cursor:
                view, report = import_csv(
                    cursor,
                    dataset_id=dataset_id,
                    csv_path=csv_path,
                    base_view=existing.view if existing else empty_view(dataset_id),
                    sidecar=sidecar,
                    table_exists=existing is not None,
                    now=now,
                    new_column_id=self._column_ids(),
                )
                if existing is None:
                    dataset = Dataset(dataset_id, view, stamp, stamp, stamp, fingerprint)
                else:
                    dataset = dataclasses.replace(
                        existing,
                        view=view,
                        rows_updated_at=stamp if report.changed else existing.rows_updated_at,
                        view_last_modified=(
                            stamp if view != existing.view else existing.view_last_modified
                        ),
                        source=fingerprint,
                    )
                self._save(cursor, dataset)
            self._datasets[dataset_id] = dataset
        log.info(
            "imported %s: %d rows (%d new, %d changed, %d unchanged, %d removed, %d skipped)",
            csv_path.name,
            report.rows,
            report.created,
            report.updated,
            report.unchanged,
            report.deleted,
            report.skipped,
        )
        return report
