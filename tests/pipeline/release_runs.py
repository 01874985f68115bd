"""Running the platform's jobs under a release policy the test chooses, at a time it fixes."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime

import dagster as dg
import duckdb

from orchestration.catalog import CALLS_FOR_SERVICE, SOURCES, ReleasePolicy, Source
from orchestration.definitions import build_definitions
from orchestration.publishing.release_clock import ReleaseClock
from tests.column_metadata_seed import share_column_metadata
from tests.pipeline.conftest import Platform
from tests.retries import QUICK_PORTAL_RETRIES

CFS = CALLS_FOR_SERVICE.published


def calls_released(policy: ReleasePolicy) -> tuple[Source, ...]:
    """The catalog's sources, the calls for service released under `policy`."""
    calls = dataclasses.replace(
        CALLS_FOR_SERVICE, published=dataclasses.replace(CFS, release=policy)
    )
    return tuple(calls if s.name == calls.name else s for s in SOURCES)


def definitions(
    platform: Platform, sources: tuple[Source, ...] = SOURCES, now: datetime | None = None
) -> dg.Definitions:
    clock = ReleaseClock(now_utc=now.isoformat() if now else None)
    return build_definitions(
        {**platform.resources(), "release_clock": clock},
        sources=sources,
        portal_retry_policy=QUICK_PORTAL_RETRIES,
    )


def calls_lane(defs: dg.Definitions) -> list[dg.AssetKey]:
    """The rule tables and the calls from raw to published: what the change sensor runs."""
    graph = defs.resolve_job_def("daily_publish").asset_layer.asset_graph
    selection = dg.AssetSelection.groups("rules") | (
        dg.AssetSelection.assets(CALLS_FOR_SERVICE.raw_asset_key).downstream()
    )
    return sorted(selection.resolve(graph))


def run(
    platform: Platform,
    defs: dg.Definitions,
    day: date,
    *,
    job: str = "daily_publish",
    assets: list[dg.AssetKey] | None = None,
    run_config: dict | None = None,
) -> dg.ExecuteInProcessResult:
    result = defs.resolve_job_def(job).execute_in_process(
        partition_key=day.isoformat() if job == "daily_publish" else None,
        instance=dg.DagsterInstance.get(),
        asset_selection=assets,
        run_config=run_config,
        raise_on_error=False,
    )
    share_column_metadata(platform.warehouse)
    return result


def mart_calls(platform: Platform, day: date) -> dict[str, datetime]:
    """The day's calls in the mart: item number -> time closed (city time)."""
    connection = duckdb.connect(str(platform.warehouse), read_only=True)
    try:
        rows = connection.execute(
            f"select nopd_item, timeclosed from {CFS.mart_table} "
            "where cast(timecreate as date) = ?",
            [day],
        ).fetchall()
    finally:
        connection.close()
    return dict(rows)


def published_items(platform: Platform) -> dict[str, dict]:
    return {row["nopd_item"]: row for row in platform.published_rows(CFS.public_dataset_id)}


def check_evaluation(result: dg.ExecuteInProcessResult, name: str):
    (evaluation,) = [e for e in result.get_asset_check_evaluations() if e.check_name == name]
    return evaluation


def materialization_metadata(result: dg.ExecuteInProcessResult, key: dg.AssetKey) -> dict:
    (event,) = [e for e in result.get_asset_materialization_events() if e.asset_key == key]
    return {k: getattr(v, "value", v) for k, v in event.materialization.metadata.items()}
