"""A publish that dies between chunks resumes where it stopped, with no row lost or doubled."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from collections import Counter

import requests

from orchestration.partitions import DayWindow
from orchestration.publishing.send import publish_window
from orchestration.socrata.client import SocrataClient
from tests.publishing.conftest import DATASET, DATASET_ID, DAY, mart_row, portal_rows, writes

WINDOW = DayWindow.for_day(DAY)


class DiesAfterChunks(SocrataClient):
    """A client whose process 'dies' (raises) when asked to send chunk `n + 1`."""

    def __init__(self, *args, chunks: int, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.chunks_left = chunks

    def upsert_json_text(self, dataset_id, body):
        if self.chunks_left == 0:
            raise KeyboardInterrupt("killed between chunks")
        self.chunks_left -= 1
        return super().upsert_json_text(dataset_id, body)


def publish(client, mart, run_id):
    with mart.connect() as connection:
        return publish_window(
            client, connection, DATASET, WINDOW, dataset_id=DATASET_ID, run_id=run_id, chunk_size=10
        )


def upsert_counts(portal) -> Counter:
    return Counter(key for entry in writes(portal) for key in entry["upserted_keys"])


def test_a_publish_killed_between_chunks_then_rerun_sends_each_row_once(mart, portal, client):
    rows = [mart_row(n) for n in range(35)]
    mart.write(rows)
    domain = f"{portal.host}:{portal.port}"
    dying = DiesAfterChunks(domain, username="publisher", password="pw", chunks=2)
    try:
        publish(dying, mart, "run-killed")
    except KeyboardInterrupt:
        pass
    else:
        raise AssertionError("the publish was not interrupted")
    assert len(portal_rows(client)) == 20

    publish(client, mart, "run-rerun")

    assert sorted(portal_rows(client)) == sorted(row["nopd_item"] for row in rows)
    assert set(upsert_counts(portal).values()) == {1}
    assert len(upsert_counts(portal)) == 35


KILLABLE_PUBLISH = textwrap.dedent(
    """
    import sys
    import duckdb
    from orchestration.catalog import CALLS_FOR_SERVICE
    from orchestration.partitions import DayWindow
    from orchestration.publishing.send import publish_window
    from orchestration.socrata.client import SocrataClient
    from datetime import date

    warehouse, domain, day = sys.argv[1:4]
    with SocrataClient(domain, username="publisher", password="pw") as client, \\
            duckdb.connect(warehouse) as connection:
        publish_window(
            client, connection, CALLS_FOR_SERVICE.published,
            DayWindow.for_day(date.fromisoformat(day)),
            dataset_id=CALLS_FOR_SERVICE.published.public_dataset_id,
            run_id="run-killed", chunk_size=10,
        )
    """
)


def test_a_publish_process_killed_mid_run_then_rerun_leaves_the_portal_equal_to_the_mart(
    mart, portal, client
):
    rows = [mart_row(n) for n in range(60)]
    mart.write(rows)
    # Each write answers slowly, so the test can kill the process while it is sending.
    fault = {"delay_s": 0.3, "count": 100, "path_prefix": f"/resource/{DATASET_ID}"}
    requests.post(f"{portal.url}/_portal/faults", json=fault, timeout=5).raise_for_status()
    process = subprocess.Popen(
        [sys.executable, "-c", KILLABLE_PUBLISH, str(mart.path), f"{portal.host}:{portal.port}",
         DAY.isoformat()],
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while len(writes(portal)) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    requests.delete(f"{portal.url}/_portal/faults", timeout=5).raise_for_status()
    sent_before = len(portal_rows(client))
    assert 20 <= sent_before < 60

    publish(client, mart, "run-rerun")

    published = portal_rows(client)
    assert sorted(published) == sorted(row["nopd_item"] for row in rows)
    # At most the chunk in flight when the process died is sent a second time.
    resent = [key for key, count in upsert_counts(portal).items() if count > 1]
    assert len(resent) <= 10
