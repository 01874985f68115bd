"""Where a secret could surface, searched: text, Dagster's records, the warehouse, a portal.

Each finder returns a list of `place: secret name` strings, empty when nothing leaked, so a
failing test says where a secret was found rather than only that it was.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable, Mapping

import dagster as dg
import duckdb
import requests
from dagster._serdes import serialize_value

from orchestration.warehouse.sql import quote_identifier


def needles(secrets: Mapping[str, str], users: Iterable[tuple[str, str]] = ()) -> dict[str, str]:
    """Secret name -> value, plus each account's HTTP Basic token (what goes on the wire)."""
    found = dict(secrets)
    for user, password in users:
        found[f"basic auth of {user}"] = base64.b64encode(f"{user}:{password}".encode()).decode()
    return found


def leaks_in_text(place: str, text: str, secrets: Mapping[str, str]) -> list[str]:
    return [f"{place}: {name}" for name, value in secrets.items() if value in text]


def leaks_in_runs(
    instance: dg.DagsterInstance, run_ids: Iterable[str], secrets: Mapping[str, str]
) -> list[str]:
    """Every event of each run (logs, metadata, errors), the run's record and its snapshots."""
    found: list[str] = []
    for run_id in run_ids:
        run = instance.get_run_by_id(run_id)
        found += leaks_in_text(f"run {run_id}", serialize_value(run), secrets)
        if run.job_snapshot_id:
            snapshot = instance.get_job_snapshot(run.job_snapshot_id)
            found += leaks_in_text(f"job snapshot of {run_id}", serialize_value(snapshot), secrets)
        if run.execution_plan_snapshot_id:
            plan = instance.get_execution_plan_snapshot(run.execution_plan_snapshot_id)
            found += leaks_in_text(f"plan of {run_id}", serialize_value(plan), secrets)
        for entry in instance.all_logs(run_id):
            place = f"event {entry.dagster_event_type or 'log'} of {run_id} ({entry.step_key})"
            found += leaks_in_text(place, serialize_value(entry), secrets)
    return found


def leaks_in_warehouse(path: str, secrets: Mapping[str, str]) -> list[str]:
    """Every text column of every table and view in the DuckDB file.

    One scan a relation, counting each column's hits of each secret side by side: a view is
    computed once, not once a column and secret.
    """
    found: list[str] = []
    names, values = list(secrets), list(secrets.values())
    with duckdb.connect(path, read_only=True) as connection:
        columns = connection.execute(
            "select table_schema, table_name, column_name from information_schema.columns "
            "where data_type = 'VARCHAR' order by table_schema, table_name, ordinal_position"
        ).fetchall()
        by_relation: dict[tuple[str, str], list[str]] = {}
        for schema, table, column in columns:
            by_relation.setdefault((schema, table), []).append(column)
        for (schema, table), text_columns in by_relation.items():
            pairs = [(column, n) for column in text_columns for n in range(len(values))]
            counts = ", ".join(
                f"count(*) filter (where contains({quote_identifier(column)}, ${n + 1}))"
                for column, n in pairs
            )
            relation = f"{quote_identifier(schema)}.{quote_identifier(table)}"
            hits = connection.execute(f"select {counts} from {relation}", values).fetchone()
            found.extend(
                f"{schema}.{table}.{column}: {names[n]}"
                for (column, n), count in zip(pairs, hits, strict=True)
                if count
            )
    return found


def leaks_in_portal(base_url: str, secrets: Mapping[str, str]) -> list[str]:
    """The catalog, each dataset's view metadata, its attachments and its rows, as served."""
    found: list[str] = []

    def fetched(path: str) -> requests.Response:
        answer = requests.get(f"{base_url}{path}", timeout=30)
        answer.raise_for_status()
        found.extend(leaks_in_text(path, answer.text, secrets))
        return answer

    catalog = fetched("/api/catalog/v1").json()
    for result in catalog["results"]:
        dataset_id = result["resource"]["id"]
        view = fetched(f"/api/views/{dataset_id}.json").json()
        for attachment in (view.get("metadata") or {}).get("attachments", []):
            asset_id = attachment.get("assetId") or attachment.get("blobId")
            fetched(f"/api/views/{dataset_id}/files/{asset_id}")
        fetched(f"/resource/{dataset_id}.json?$limit=50000")
    return found
