"""A range run on `make serve`'s PostgreSQL records its days in batches, one plan per asset.

Dagster reads RANGE_RUN_RECORDING (tooling/launcher/event_recording.py) in the process that
records a run's events. These tests run a real range run against a real PostgreSQL server
with the instance `make serve` ships, and look at what Dagster wrote: every day's
materialization is there, written through the storage's batch path, and the run planned
each asset once rather than once per day. A setting Dagster no longer reads would leave the
backfill at one transaction per event again, and these would fail.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import pytest
from dagster_postgres.event_log.event_log import PostgresEventLogStorage

from tooling.launcher.embedded import free_port
from tooling.launcher.event_recording import EVENT_BATCH_SIZE, RANGE_RUN_RECORDING
from tooling.launcher.postgres import (
    PostgresUnavailable,
    reachable_cluster_root,
    running_postgres,
    server_binaries,
)

SHIPPED_INSTANCE = Path(__file__).resolve().parents[2] / "deploy" / "serve" / "dagster.yaml"
DAYS = EVENT_BATCH_SIZE + 200  # more than a batch: a full batch and the rest
TABLES = [dg.AssetSpec(name) for name in ("stg_day", "int_day", "mart_day")]
daily = dg.DailyPartitionsDefinition(start_date="2011-01-01")


@dg.multi_asset(specs=TABLES, partitions_def=daily, backfill_policy=dg.BackfillPolicy.single_run())
def day_tables() -> Iterator[dg.MaterializeResult]:
    for spec in TABLES:
        yield dg.MaterializeResult(asset_key=spec.key, metadata={"rows": 1})


@pytest.fixture(scope="module")
def range_run(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[dg.DagsterInstance, str, list[tuple[str, int]]]]:
    """A range run of DAYS days on the serve instance, recorded into a fresh PostgreSQL;
    yields the open instance, the run's id, and the batches the storage wrote (kind of
    event, how many)."""
    try:
        server_binaries()
    except PostgresUnavailable as missing:
        pytest.skip(str(missing))
    home = tmp_path_factory.mktemp("range_recording_home")
    shutil.copyfile(SHIPPED_INSTANCE, home / "dagster.yaml")
    batches: list[tuple[str, int]] = []
    store_event_batch = PostgresEventLogStorage.store_event_batch

    def counted(storage, events):
        kinds = {event.dagster_event_type.value for event in events}
        batches.append((",".join(sorted(kinds)), len(events)))
        return store_event_batch(storage, events)

    with (
        pytest.MonkeyPatch.context() as patch,
        reachable_cluster_root("civic-range-pg-") as root,
        running_postgres(root / "postgres", free_port()) as credentials,
    ):
        for name, value in {**credentials.environment(), **RANGE_RUN_RECORDING}.items():
            patch.setenv(name, value)
        patch.setenv("DAGSTER_HOME", str(home))
        patch.setattr(PostgresEventLogStorage, "store_event_batch", counted)
        keys = daily.get_partition_keys()[:DAYS]
        job = dg.Definitions(
            assets=[day_tables],
            jobs=[dg.define_asset_job("day_tables_job", partitions_def=daily)],
        ).resolve_job_def("day_tables_job")
        with dg.DagsterInstance.get() as instance:
            result = job.execute_in_process(
                instance=instance,
                tags={
                    "dagster/asset_partition_range_start": keys[0],
                    "dagster/asset_partition_range_end": keys[-1],
                },
            )
            assert result.success
            yield instance, result.run_id, batches


def test_every_day_of_the_range_is_recorded_as_materialized(range_run):
    instance, _, _ = range_run
    for spec in TABLES:
        assert len(instance.get_materialized_partitions(spec.key)) == DAYS


def test_the_days_materializations_are_written_in_batches_not_one_by_one(range_run):
    _, _, batches = range_run
    materializations = [size for kind, size in batches if kind == "ASSET_MATERIALIZATION"]
    # Per asset: one full batch and the rest.
    assert materializations == [EVENT_BATCH_SIZE, DAYS - EVENT_BATCH_SIZE] * len(TABLES)


def test_the_run_plans_each_asset_once_not_once_per_day(range_run):
    instance, run_id, _ = range_run
    planned = instance.get_records_for_run(
        run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION_PLANNED, limit=10 * DAYS
    ).records
    assert sorted(record.asset_key.to_user_string() for record in planned) == sorted(
        spec.key.to_user_string() for spec in TABLES
    )
