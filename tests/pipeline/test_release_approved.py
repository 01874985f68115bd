"""Under `approved` a day waits, its `release_approved` check pending, until a steward
approves the fingerprint its review packet shows; then exactly the reviewed rows are
published, and a change at the source afterwards makes the day pending again.

The publish after an approval runs what the `release_approvals_publish` sensor requests
(`approved_publish_request`): the packet, its check and the publishes, no raw load.
"""

from __future__ import annotations

import csv
from datetime import datetime, timedelta

import pytest
import requests

from orchestration.alerting.run_failures import only_pending_approvals
from orchestration.catalog import APPROVED, ReleasePolicy
from orchestration.defs.release import APPROVE_JOB, RELEASE_APPROVED, approved_publish_request
from orchestration.defs.review import review_asset_key
from orchestration.review.approvals import APPROVALS_TABLE
from tests.pipeline.conftest import DAY
from tests.pipeline.release_runs import (
    CFS,
    calls_lane,
    calls_released,
    check_evaluation,
    definitions,
    mart_calls,
    materialization_metadata,
    published_items,
    run,
)
from tests.test_release import record
from tests.warehouse_builder import query

pytestmark = pytest.mark.integration

SOURCES = calls_released(ReleasePolicy(APPROVED))
REVIEW = review_asset_key(CFS.name)


def approve(platform, defs, fingerprint: str):
    config = {
        "dataset": CFS.name,
        "day": DAY.isoformat(),
        "fingerprint": fingerprint,
        "approved_by": "steward.a",
        "reason": "packet read: no new codes, volume as usual",
    }
    return run(
        platform,
        defs,
        DAY,
        job=APPROVE_JOB,
        run_config={"ops": {"record_release_approval": {"config": config}}},
    )


def publish_approved(platform, defs, approval_run_id: str):
    request = approved_publish_request(SOURCES[0], (CFS,), DAY.isoformat(), approval_run_id)
    return run(platform, defs, DAY, assets=list(request.asset_selection))


@pytest.fixture(scope="module")
def defs(platform):
    return definitions(platform, SOURCES)


@pytest.fixture(scope="module")
def pending(platform, defs):
    result = run(platform, defs, DAY, assets=calls_lane(defs))
    return result, materialization_metadata(result, REVIEW)["release_fingerprint"]


@pytest.fixture(scope="module")
def approved(platform, defs, pending):
    _, fingerprint = pending
    approval = approve(platform, defs, fingerprint)
    assert approval.success
    result = publish_approved(platform, defs, approval.run_id)
    assert result.success
    return result


def test_an_approved_day_is_not_published_until_a_steward_approves_it(platform, pending):
    result, fingerprint = pending
    evaluation = check_evaluation(result, RELEASE_APPROVED)
    assert not evaluation.passed
    assert evaluation.metadata["status"].value == "pending"
    assert evaluation.metadata["pending_days"].value == {DAY.isoformat(): fingerprint}
    assert not published_items(platform)
    failures = [e.step_key for e in result.get_step_failure_events()]
    assert only_pending_approvals([record(step) for step in failures], RELEASE_APPROVED)
    page = (platform.warehouse.parent / "review" / CFS.name / f"{DAY}.html").read_text()
    assert fingerprint in page


def test_approval_publishes_exactly_the_reviewed_rows(platform, pending, approved):
    result, _ = pending
    reviewed = materialization_metadata(result, REVIEW)
    assert check_evaluation(approved, RELEASE_APPROVED).passed
    published = published_items(platform)
    assert set(published) == set(mart_calls(platform, DAY))
    assert (
        len(published)
        == materialization_metadata(approved, CFS.published_asset_key)["rows_created"]
    )
    assert reviewed["rows_by_fate"]["published"] == len(published)
    (row,) = query(platform.warehouse, f"select approved_by, reason from {APPROVALS_TABLE}")
    assert row[0] == "steward.a" and row[1].startswith("packet read")


def close_later(platform, item: str) -> str:
    """Change a call at the source: it closed a minute later. Its new close time."""
    path = platform.root / "portal" / "internal" / "opcd-cfs1.csv"
    with open(path, newline="") as handle:
        reader = csv.DictReader(handle)
        fields, rows = reader.fieldnames, list(reader)
    (row,) = [r for r in rows if r["nopd_item"] == item]
    closed = datetime.fromisoformat(row["timeclosed"]) + timedelta(minutes=1)
    row["timeclosed"] = closed.strftime("%Y-%m-%dT%H:%M:%S.000")
    with open(path, "w", newline="") as handle:
        writer = csv.DictWriter(handle, fields)
        writer.writeheader()
        writer.writerows(rows)
    requests.post(f"{platform.source.url}/_portal/reload", timeout=60).raise_for_status()
    return row["timeclosed"]


def test_a_change_at_the_source_after_approval_reopens_review(platform, defs, pending, approved):
    item = sorted(published_items(platform))[0]
    before = published_items(platform)[item]["timeclosed"]
    changed = close_later(platform, item)
    rerun = run(platform, defs, DAY, assets=calls_lane(defs))
    evaluation = check_evaluation(rerun, RELEASE_APPROVED)
    assert not evaluation.passed and evaluation.metadata["status"].value == "pending"
    assert published_items(platform)[item]["timeclosed"] == before
    stale = approve(platform, defs, pending[1])
    assert not stale.success
    fresh = approve(platform, defs, materialization_metadata(rerun, REVIEW)["release_fingerprint"])
    assert fresh.success
    assert publish_approved(platform, defs, fresh.run_id).success
    assert published_items(platform)[item]["timeclosed"] == changed
