"""A backfill of 30 days runs as one run (single-run backfill policy) and publishes every day."""

from __future__ import annotations

from datetime import timedelta

import dagster as dg
import pytest

from orchestration.catalog import CALLS_FOR_SERVICE, PUBLISHED_DATASETS
from tests.pipeline.conftest import DAY, running_platform
from tooling.generator.samples import write_samples

pytestmark = pytest.mark.integration  # builds warehouses with dbt: not in make test-fast

FIRST = DAY - timedelta(days=29)


@pytest.fixture(scope="module")
def backfill(tmp_path_factory):
    root = tmp_path_factory.mktemp("backfill")
    exports = write_samples(
        root / "portal" / "internal", FIRST, DAY, seed=11, scale=0.05,
        scales={"use_of_force": 2, "service_requests_311": 0.2},
    )  # fmt: skip
    with running_platform(root, exports) as platform, dg.instance_for_test() as instance:
        job = platform.definitions().resolve_job_def("daily_publish")
        result = job.execute_in_process(
            instance=instance,
            tags={
                "dagster/asset_partition_range_start": FIRST.isoformat(),
                "dagster/asset_partition_range_end": DAY.isoformat(),
            },
            raise_on_error=False,
        )
        yield platform, instance, result


def test_thirty_days_backfill_in_one_run(backfill):
    _, _, result = backfill
    assert result.success


def test_every_dataset_records_all_thirty_partitions_published(backfill):
    _, instance, _ = backfill
    days = {(FIRST + timedelta(days=n)).isoformat() for n in range(30)}
    for dataset in PUBLISHED_DATASETS:
        published = instance.get_materialized_partitions(dataset.published_asset_key)
        assert published == days, dataset.name


def test_every_day_has_calls_on_the_portal(backfill):
    platform, _, _ = backfill
    rows = platform.published_rows(CALLS_FOR_SERVICE.published.public_dataset_id)
    days = {row["timecreate"][:10] for row in rows}
    assert days == {(FIRST + timedelta(days=n)).isoformat() for n in range(30)}
