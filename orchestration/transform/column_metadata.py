"""Column schema and lineage of the dbt models, derived once per version of what they depend on.

dagster-dbt's `fetch_column_metadata()` reads every built model's columns and its parents',
and derives column lineage by parsing the compiled SQL with sqlglot, on every run. Here that
was about 20 s of pure Python a run, the larger part of a nightly run, for a result that
changes only when a model's code, the project's macros and parameters, or an upstream
relation's columns change: never from one night's data to the next.

So the result is kept per model in a JSON file beside the warehouse, under a fingerprint of
everything it depends on: the model's own file checksum and config, the project's macros,
the privacy parameters (the partition window is left out: it changes the compiled SQL's
dates, never its columns), the installed dbt, dagster-dbt and sqlglot, and, recursively,
the fingerprints of its parents, down to the columns the raw source tables have now. A model
whose fingerprint is known gets the kept metadata; any other (a changed model, everything
downstream of a raw table that grew a column, a fresh deployment) is derived by dagster-dbt's
own function and kept. Column lineage thus stays exactly what dagster-dbt computes.

Row counts are data and are still fetched every run (`fetch_row_counts()`).
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.metadata
import json
import logging
import os
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import dagster as dg

from orchestration.transform.compat import column_metadata_of_event

log = logging.getLogger(__name__)

PROJECT_PACKAGE = "civic_data"
VERSIONED_PACKAGES = ("dbt-core", "dbt-duckdb", "dagster-dbt", "sqlglot")
CACHE_FORMAT = 1


def cache_path_for(warehouse_path: str | os.PathLike[str]) -> Path:
    """Where a warehouse keeps its models' column metadata: beside the DuckDB file."""
    return Path(f"{os.fspath(warehouse_path)}.column-metadata.json")


def _digest(*parts: object) -> str:
    text = json.dumps(parts, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def project_fingerprint(manifest: Mapping[str, Any], parameters: Mapping[str, Any]) -> str:
    """What every model's metadata depends on alike: macros, parameters, tool versions."""
    macros = sorted(
        (unique_id, macro.get("macro_sql", ""))
        for unique_id, macro in manifest.get("macros", {}).items()
        if macro.get("package_name") == PROJECT_PACKAGE
    )
    versions = [(name, importlib.metadata.version(name)) for name in VERSIONED_PACKAGES]
    return _digest(CACHE_FORMAT, macros, dict(parameters), versions)


class ColumnMetadataCache:
    """Column metadata of one warehouse's models, keyed by fingerprints (see module doc)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._entries: dict[str, dict[str, str]] = self._read()
        self._dirty = False

    def _read(self) -> dict[str, dict[str, str]]:
        try:
            document = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as error:
            log.warning("ignoring the unreadable column metadata cache %s: %s", self.path, error)
            return {}
        if document.get("format") != CACHE_FORMAT:
            return {}
        return dict(document.get("models", {}))

    def get(self, unique_id: str, fingerprint: str) -> dict[str, Any] | None:
        entry = self._entries.get(unique_id)
        if entry is None or entry.get("fingerprint") != fingerprint:
            return None
        try:
            return dict(dg.deserialize_value(entry["metadata"]))
        except Exception as error:  # a cache from another version: derive it again
            log.warning("column metadata of %s not reused: %s", unique_id, error)
            return None

    def put(self, unique_id: str, fingerprint: str, metadata: Mapping[str, Any]) -> None:
        self._entries[unique_id] = {
            "fingerprint": fingerprint,
            "metadata": dg.serialize_value(dict(metadata)),
        }
        self._dirty = True

    def save(self) -> None:
        """Write the cache atomically, so a run killed mid-write leaves the old one."""
        if not self._dirty:
            return
        document = {"format": CACHE_FORMAT, "models": self._entries}
        partial = self.path.with_name(self.path.name + ".partial")
        partial.write_text(json.dumps(document, sort_keys=True), encoding="utf-8")
        os.replace(partial, self.path)
        self._dirty = False


class _Fingerprints:
    """Each node's fingerprint: its own definition plus its parents', recursively."""

    def __init__(self, invocation: Any, project: str) -> None:
        self._invocation = invocation
        self._manifest = invocation.manifest
        self._project = project
        self._known: dict[str, str] = {}

    def of(self, unique_id: str) -> str:
        if unique_id not in self._known:
            self._known[unique_id] = self._compute(unique_id)
        return self._known[unique_id]

    def _compute(self, unique_id: str) -> str:
        if unique_id in self._manifest.get("sources", {}):
            return _digest("source", unique_id, self._source_columns(unique_id))
        node = self._manifest["nodes"][unique_id]
        parents = sorted(self._manifest.get("parent_map", {}).get(unique_id, []))
        return _digest(
            "node",
            unique_id,
            node.get("checksum"),
            node.get("config"),
            self._project,
            [(parent, self.of(parent)) for parent in parents],
        )

    def _source_columns(self, unique_id: str) -> list[tuple[str, str]]:
        """The raw table's columns as they are now: a new source column changes lineage."""
        source = self._manifest["sources"][unique_id]
        adapter = self._invocation.adapter
        relation = adapter.Relation.create(
            database=source.get("database"),
            schema=source.get("schema"),
            identifier=source.get("identifier") or source.get("name"),
        )
        with (
            contextlib.chdir(self._invocation.project_dir),
            adapter.connection_named(f"column_fingerprint_{unique_id}"),
        ):
            columns = adapter.get_columns_in_relation(relation)
        return [(column.name, column.data_type) for column in columns]


def _is_model_event(event: Any) -> bool:
    return isinstance(event, (dg.Output, dg.AssetMaterialization)) and "unique_id" in (
        event.metadata or {}
    )


def attach_column_metadata(
    events: Iterator[Any],
    invocation: Any,
    cache: ColumnMetadataCache,
    parameters: Mapping[str, Any],
    context: dg.AssetExecutionContext,
) -> Iterator[Any]:
    """dbt's events, each built model's newest partition carrying its column schema and lineage.

    A run over a range of days records one materialization per model and day, each with the
    output's metadata; column schema and lineage (kilobytes a model) repeated on every day of
    a fifteen-year backfill made storing those events the larger part of the run. They are
    the same for every day, and the UI and the lineage documents read a model's latest
    materialization, so only the range's newest day carries them (`add_asset_metadata`).

    `events` must come after the dbt process has finished (for DuckDB, dagster-dbt's
    `fetch_row_counts()` waits for it), since deriving metadata reads the warehouse; the
    invocation's adapter is read then too (dbt in this process opens it once dbt has
    finished: orchestration/transform/compat.py). Without one, events pass unchanged.
    """
    newest_partition = context.partition_key_range.end if context.has_partition_key_range else None
    fingerprints = None
    try:
        for event in events:
            if not _is_model_event(event) or invocation.adapter is None:
                yield event
                continue
            if fingerprints is None:
                project = project_fingerprint(invocation.manifest, parameters)
                fingerprints = _Fingerprints(invocation, project)
            unique_id = event.metadata["unique_id"].value
            fingerprint = fingerprints.of(unique_id)
            metadata = cache.get(unique_id, fingerprint)
            if metadata is None:
                metadata = column_metadata_of_event(invocation, event)
                if metadata:
                    cache.put(unique_id, fingerprint, metadata)
            if metadata and newest_partition is not None:
                key = (
                    context.asset_key_for_output(event.output_name)
                    if isinstance(event, dg.Output)
                    else event.asset_key
                )
                context.add_asset_metadata(metadata, asset_key=key, partition_key=newest_partition)
            elif metadata:
                event = event.with_metadata({**event.metadata, **metadata})
            yield event
    finally:
        cache.save()
