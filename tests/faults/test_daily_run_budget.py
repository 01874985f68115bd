"""Past the retry budget the daily run fails naming the dataset and the last good page or
chunk, and the next run picks up from there: nothing read or sent twice, nothing lost."""

from __future__ import annotations

import re
from datetime import timedelta

import duckdb
import pytest

from orchestration.catalog import CALLS_FOR_SERVICE
from orchestration.partitions import DayWindow
from orchestration.socrata.client import SocrataClient
from tests.faults.conftest import clear_faults, clear_log, logged, queue_fault
from tests.faults.platform import (
    CFS_PUBLIC_ID,
    CFS_PUBLISH_OP,
    CFS_SOURCE_ID,
    RAW_CFS_STEP,
    assert_portal_equals_mart,
    run_day,
    step_failures,
    warehouse_duplicates,
)
from tests.pipeline.conftest import DAY, PUBLISHER, running_platform, write_sample_exports

pytestmark = [pytest.mark.slow, pytest.mark.integration]

INGEST_DAY, PUBLISH_DAY = DAY - timedelta(days=1), DAY
TIGHT = {"max_retries": 1, "backoff_s": 0.01}  # a small budget, spent quickly


@pytest.fixture(scope="module")
def platform(tmp_path_factory):
    root = tmp_path_factory.mktemp("budget")
    exports = write_sample_exports(root / "portal" / "internal", DAY - timedelta(days=2), DAY)
    with running_platform(root, exports) as running:
        yield running


def cfs_csv_reads(platform) -> list[dict]:
    return [e for e in logged(platform.source) if e["path"] == f"/resource/{CFS_SOURCE_ID}.csv"]


@pytest.fixture(scope="module")
def ingest_runs(platform):
    """A run whose source fails from the 4th page of calls for service on, then a clean one."""
    path = f"/resource/{CFS_SOURCE_ID}.csv"
    queue_fault(platform.source, status=500, skip=3, count=10_000, path_prefix=path)
    failed = run_day(platform, INGEST_DAY, source={**TIGHT, "page_size": 25})
    clear_faults(platform.source)
    clear_log(platform.source)
    rerun = run_day(platform, INGEST_DAY, source={"page_size": 25})
    return failed, rerun, cfs_csv_reads(platform)


@pytest.fixture(scope="module")
def publish_runs(platform, ingest_runs):
    """A run whose portal refuses calls-for-service chunks from the 3rd on, then a clean one."""
    path = f"/resource/{CFS_PUBLIC_ID}.json"
    clear_log(platform.public)
    queue_fault(platform.public, status=503, skip=2, count=10_000, path_prefix=path)
    failed = run_day(platform, PUBLISH_DAY, chunk_size=15, public=TIGHT)
    clear_faults(platform.public)
    landed = [e for e in logged(platform.public) if e["path"] == path and e["status"] == 200]
    clear_log(platform.public)
    rerun = run_day(platform, PUBLISH_DAY, chunk_size=15)
    resent = [e for e in logged(platform.public) if e["path"] == path and e["status"] == 200]
    return failed, rerun, landed, resent


def test_ingest_past_the_budget_fails_naming_the_dataset_and_the_last_good_page(ingest_runs):
    failed, _, _ = ingest_runs
    assert not failed.success
    [first, *retries] = step_failures(failed, RAW_CFS_STEP)
    assert CFS_SOURCE_ID in first and "failed with 500" in first
    assert (
        f"last good page: slice {INGEST_DAY}..{INGEST_DAY + timedelta(days=1)} up to :id" in first
    )
    # Dagster's step retries resume too, and still say what had landed.
    assert all("last good page: slice" in message for message in retries)


def test_the_next_run_reads_only_the_pages_that_had_not_landed(platform, ingest_runs):
    _, rerun, reads = ingest_runs
    assert rerun.success
    assert ":id >" in reads[0]["query"]["$where"]
    where = DayWindow.for_day(INGEST_DAY).soql_where(CALLS_FOR_SERVICE.day_field)
    with SocrataClient(f"{platform.source.host}:{platform.source.port}") as client:
        source_ids = sorted(
            r[":id"] for page in client.iter_pages(CFS_SOURCE_ID, where=where) for r in page
        )
    with duckdb.connect(str(platform.warehouse), read_only=True) as connection:
        raw = connection.execute(
            f"select _source_row_id from {CALLS_FOR_SERVICE.raw_table} where _partition_date = ?",
            [INGEST_DAY],
        ).fetchall()
    assert sorted(r[0] for r in raw) == source_ids
    assert len(reads) < -(-len(source_ids) // 25)


def test_publish_past_the_budget_fails_naming_the_dataset_and_the_last_good_chunk(publish_runs):
    failed, _, landed, _ = publish_runs
    assert not failed.success
    [first, *retries] = step_failures(failed, CFS_PUBLISH_OP)
    assert f"publishing {CFS_PUBLIC_ID} failed at chunk 3 of" in first
    assert "the last good chunk is 2 (rows 1-30)" in first
    # Later attempts resume past the landed chunks and say what the ledger holds by then.
    assert retries and all(
        re.search(rf"the ledger holds [0-9]+ rows of {CFS_PUBLIC_ID}", message)
        for message in retries
    )
    assert not [message for message in [first, *retries] if PUBLISHER[1] in message]
    assert len(landed) == 2


def test_the_next_run_sends_only_what_had_not_landed(platform, publish_runs):
    _, rerun, landed, resent = publish_runs
    assert rerun.success
    before = {key for entry in landed for key in entry["upserted_keys"]}
    after = [key for entry in resent for key in entry["upserted_keys"]]
    assert before and after
    assert not before & set(after)
    assert len(after) == len(set(after))
    assert warehouse_duplicates(platform.warehouse) == {}
    assert_portal_equals_mart(platform)
