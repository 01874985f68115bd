"""The real daily job on a whole platform, with the knobs fault tests turn, and the checks
that a warehouse and the public portal agree after whatever happened to a run."""

from __future__ import annotations

from collections import Counter
from datetime import date

import dagster as dg
import duckdb

from orchestration.catalog import CALLS_FOR_SERVICE, PUBLISHED_DATASETS, SOURCES
from orchestration.definitions import build_definitions
from orchestration.publishing.ledger import LEDGER_TABLE
from orchestration.socrata.resource import SocrataResource
from orchestration.warehouse.sql import quote_identifier
from tests.column_metadata_seed import share_column_metadata
from tests.pipeline.conftest import PUBLISHER, Platform
from tests.retries import QUICK_PORTAL_RETRIES

CFS_SOURCE_ID = CALLS_FOR_SERVICE.internal_dataset_id
CFS_PUBLIC_ID = CALLS_FOR_SERVICE.published.public_dataset_id
CFS_PUBLISH_OP = CALLS_FOR_SERVICE.published.published_asset_key.to_python_identifier()
RAW_CFS_STEP = CALLS_FOR_SERVICE.raw_asset_key.to_python_identifier()


def resources(platform: Platform, *, source: dict | None = None, public: dict | None = None):
    """The platform's resources with the source and public clients' settings overridden."""
    return {
        **platform.resources(),
        "source_portal": SocrataResource(
            domain=f"{platform.source.host}:{platform.source.port}", **(source or {})
        ),
        "public_portal": SocrataResource(
            domain=f"{platform.public.host}:{platform.public.port}",
            username=PUBLISHER[0],
            password=PUBLISHER[1],
            **{"backoff_s": 0.05, **(public or {})},
        ),
    }


def run_day(platform: Platform, day: date, *, chunk_size: int | None = None, **settings):
    """The `daily_publish` job for `day`, in this process."""
    job = build_definitions(
        resources(platform, **settings), portal_retry_policy=QUICK_PORTAL_RETRIES
    ).resolve_job_def("daily_publish")
    run_config = (
        {"ops": {CFS_PUBLISH_OP: {"config": {"chunk_size": chunk_size}}}} if chunk_size else None
    )
    result = job.execute_in_process(
        partition_key=day.isoformat(),
        run_config=run_config,
        instance=dg.DagsterInstance.get(),
        raise_on_error=False,
    )
    share_column_metadata(platform.warehouse)
    return result


def step_failures(result: dg.ExecuteInProcessResult, step_key: str) -> list[str]:
    """The error of each failed attempt of a step, in order, with the errors that caused it
    (Dagster reports a last attempt as "Exceeded max_retries", caused by the real error)."""
    kinds = (dg.DagsterEventType.STEP_UP_FOR_RETRY, dg.DagsterEventType.STEP_FAILURE)
    messages = []
    for event in result.all_events:
        if event.event_type in kinds and event.step_key == step_key:
            error, texts = event.event_specific_data.error, []
            while error is not None:
                texts.append(error.message)
                error = error.cause
            messages.append(" <- ".join(texts))
    return messages


def duplicated(keys) -> list:
    return [key for key, count in Counter(keys).items() if count > 1]


def warehouse_duplicates(warehouse) -> dict[str, list]:
    """Keys held twice in a raw table (by source row), a mart or the ledger: none expected."""
    found = {}
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        tables = {
            row[0]
            for row in connection.execute(
                "select table_schema || '.' || table_name from information_schema.tables"
            ).fetchall()
        }
        for source in SOURCES:
            if source.raw_table in tables:
                found[source.raw_table] = duplicated(
                    r[0]
                    for r in connection.execute(
                        f"select _source_row_id from {source.raw_table}"
                    ).fetchall()
                )
        for dataset in PUBLISHED_DATASETS:
            if dataset.mart_table in tables:
                key = quote_identifier(dataset.row_identifier)
                found[dataset.mart_table] = duplicated(
                    r[0]
                    for r in connection.execute(
                        f"select {key} from {dataset.mart_table}"
                    ).fetchall()
                )
        if LEDGER_TABLE in tables:
            found[LEDGER_TABLE] = duplicated(
                r
                for r in connection.execute(
                    f"select dataset_id, row_id from {LEDGER_TABLE}"
                ).fetchall()
            )
    return {table: keys for table, keys in found.items() if keys}


def mart_and_ledger_keys(warehouse, dataset) -> tuple[list[str], list[str]]:
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        key = quote_identifier(dataset.row_identifier)
        mart = [
            str(r[0])
            for r in connection.execute(f"select {key} from {dataset.mart_table}").fetchall()
        ]
        ledger = [
            r[0]
            for r in connection.execute(
                f"select row_id from {LEDGER_TABLE} where dataset_id = ?",
                [dataset.public_dataset_id],
            ).fetchall()
        ]
    return mart, ledger


def portal_keys(platform: Platform, dataset) -> list[str]:
    rows = platform.published_rows(dataset.public_dataset_id)
    return [str(row[dataset.row_identifier]) for row in rows]


def assert_portal_equals_mart(platform: Platform) -> None:
    """Every mart row is on the public portal and in the ledger, once; nothing else is."""
    for dataset in PUBLISHED_DATASETS:
        mart, ledger = mart_and_ledger_keys(platform.warehouse, dataset)
        on_portal = portal_keys(platform, dataset)
        assert not duplicated(on_portal), dataset.public_dataset_id
        assert sorted(on_portal) == sorted(mart), dataset.public_dataset_id
        assert sorted(ledger) == sorted(mart), dataset.public_dataset_id
