"""The daily job gets through every fault kind, injected both while it reads the source and
while it publishes, within the clients' retry budgets: one run, each kind hitting its own
page of the source and its own chunk of the publish."""

from __future__ import annotations

from datetime import timedelta

import duckdb
import pytest

from orchestration.catalog import CALLS_FOR_SERVICE
from orchestration.partitions import DayWindow
from orchestration.socrata.client import SocrataClient
from tests.faults.conftest import FAULT_KINDS, clear_log, logged, queue_fault
from tests.faults.platform import (
    CFS_PUBLIC_ID,
    CFS_SOURCE_ID,
    assert_portal_equals_mart,
    run_day,
    warehouse_duplicates,
)
from tests.pipeline.conftest import DAY, running_platform, write_sample_exports

pytestmark = [pytest.mark.slow, pytest.mark.integration]

TIMEOUT_S = 3.0  # client timeouts of this run: a stall of 4 s outlasts them
STALL = {"delay_s": TIMEOUT_S + 1}
PAGE_ROWS = 25  # small source pages and publish chunks, so each fault has its own
CHUNK_ROWS = 15


def chain(portal, path_prefix: str) -> None:
    """Every fault kind once under `path_prefix`: kind n breaks request 2n, so each broken
    request's retry gets through before the next kind strikes."""
    for number, kind in enumerate(FAULT_KINDS):
        fault = STALL if kind == "stall" else FAULT_KINDS[kind]
        queue_fault(portal, path_prefix=path_prefix, skip=2 * number, count=1, **fault)


@pytest.fixture(scope="module")
def faulted_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("faulted")
    exports = write_sample_exports(root / "portal" / "internal", DAY - timedelta(days=1), DAY)
    with running_platform(root, exports) as platform:
        clear_log(platform.source)
        chain(platform.source, f"/resource/{CFS_SOURCE_ID}.csv")
        chain(platform.public, f"/resource/{CFS_PUBLIC_ID}.json")
        settings = {
            "timeout_s": TIMEOUT_S,
            "write_timeout_s": TIMEOUT_S,
            "bulk_read_timeout_s": TIMEOUT_S,
            "max_retries": 3,
            "backoff_s": 0.05,
        }
        result = run_day(
            platform, DAY, chunk_size=CHUNK_ROWS, source={**settings, "page_size": PAGE_ROWS},
            public=settings,
        )  # fmt: skip
        yield platform, result


def label(kind: str) -> str:
    return {"429": "status 429", "500": "status 500", "503": "status 503"}.get(kind, kind)


def test_the_run_succeeds_despite_every_fault(faulted_run):
    platform, result = faulted_run
    assert result.success
    assert warehouse_duplicates(platform.warehouse) == {}
    assert_portal_equals_mart(platform)


@pytest.mark.parametrize("kind", FAULT_KINDS)
def test_ingest_reads_again_the_page_a_fault_broke(faulted_run, kind):
    platform, _ = faulted_run
    entries = [e for e in logged(platform.source) if e["path"].endswith(".csv")]
    [broken] = [e for e in entries if e.get("fault") == label(kind)]
    again = [e for e in entries if e["query"] == broken["query"] and "fault" not in e]
    assert [e["status"] for e in again] == [200]


def test_ingest_lands_each_source_row_of_the_day_once(faulted_run):
    platform, _ = faulted_run
    where = DayWindow.for_day(DAY).soql_where(CALLS_FOR_SERVICE.day_field)
    with SocrataClient(f"{platform.source.host}:{platform.source.port}") as client:
        source_ids = [
            row[":id"] for page in client.iter_pages(CFS_SOURCE_ID, where=where) for row in page
        ]
    with duckdb.connect(str(platform.warehouse), read_only=True) as connection:
        raw = connection.execute(
            f"select _source_row_id from {CALLS_FOR_SERVICE.raw_table} where _partition_date = ?",
            [DAY],
        ).fetchall()
    assert sorted(r[0] for r in raw) == sorted(source_ids)


@pytest.mark.parametrize("kind", FAULT_KINDS)
def test_publish_sends_again_the_chunk_a_fault_broke(faulted_run, kind):
    platform, _ = faulted_run
    path = f"/resource/{CFS_PUBLIC_ID}.json"
    entries = [e for e in logged(platform.public) if e["method"] == "POST" and e["path"] == path]
    [broken] = [e for e in entries if e.get("fault") == label(kind)]
    assert broken["upserted_keys"] or broken["deleted_keys"]
    again = [
        e for e in entries if e["upserted_keys"] == broken["upserted_keys"] and "fault" not in e
    ]
    assert [e["status"] for e in again] == [200]
