"""Release policies without a warehouse: the catalog's defaults, the settling sensor's
bookkeeping, a pending approval that is not a failure, the clock."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from orchestration.alerting.run_failures import FailureRecord, only_pending_approvals
from orchestration.catalog import (
    APPROVED,
    CALLS_FOR_SERVICE,
    POLICE_RESPONSE_TIMES,
    SERVICE_REQUESTS_311,
    SETTLED,
    USE_OF_FORCE,
    ReleasePolicy,
)
from orchestration.defs.release import RELEASE_APPROVED
from orchestration.defs.settling import due_days
from orchestration.publishing.release_clock import ReleaseClock


def test_calls_for_service_settle_36_hours_after_closing_by_default():
    policy = CALLS_FOR_SERVICE.published.release
    assert (policy.mode, policy.settle_hours, policy.closed_field) == (SETTLED, 36, "timeclosed")
    assert POLICE_RESPONSE_TIMES.release.settles  # figures wait for the calls they count
    assert not USE_OF_FORCE.published.release.settles
    assert not SERVICE_REQUESTS_311.published.release.settles


def test_an_unknown_release_mode_or_negative_hours_is_refused():
    with pytest.raises(ValueError, match="release mode"):
        ReleasePolicy("whenever")
    with pytest.raises(ValueError, match="settle_hours"):
        ReleasePolicy(SETTLED, -1)
    assert ReleasePolicy(APPROVED).needs_approval


def test_the_settling_sensor_requests_a_day_when_its_last_held_row_settles():
    held = {"2026-11-02": {"rows": 3, "settles_at": "2026-11-04T10:00:00+00:00"}}
    early = datetime(2026, 11, 4, 9, tzinfo=UTC)
    due, cursor = due_days({}, [(7, "2026-11-02", held)], early)
    assert due == [] and cursor == {
        "after": 7,
        "waiting": {"2026-11-02": held["2026-11-02"]["settles_at"]},
    }
    due, cursor = due_days(cursor, [], datetime(2026, 11, 4, 10, tzinfo=UTC))
    assert due == [("2026-11-02", "2026-11-04T10:00:00+00:00")] and cursor["waiting"] == {}


def test_a_later_publish_of_the_day_that_held_nothing_clears_its_wait():
    held = {"2026-11-02": {"rows": 3, "settles_at": "2026-11-04T10:00:00+00:00"}}
    late = datetime(2026, 11, 5, tzinfo=UTC)
    due, cursor = due_days({}, [(9, "2026-11-02", {}), (8, "2026-11-02", held)], late)
    assert due == [] and cursor == {"after": 9, "waiting": {}}


def record(step: str | None) -> FailureRecord:
    return FailureRecord("run", "daily_publish", "2026-11-02", step, step, "failed", datetime.now())


def test_a_run_stopped_only_by_a_pending_approval_is_not_a_failure():
    pending = record(f"review__calls_for_service_{RELEASE_APPROVED}")
    assert only_pending_approvals([pending], RELEASE_APPROVED)
    assert not only_pending_approvals([pending, record("raw_calls_for_service")], RELEASE_APPROVED)
    assert not only_pending_approvals([record(None)], RELEASE_APPROVED)


def test_the_release_clock_is_the_real_time_unless_fixed():
    assert abs((ReleaseClock().now() - datetime.now(UTC)).total_seconds()) < 5
    fixed = ReleaseClock(now_utc="2026-11-04T03:00:00").now()
    assert fixed == datetime(2026, 11, 4, 3, tzinfo=UTC)


def test_release_policies_can_be_set_from_the_environment(monkeypatch):
    from orchestration.definitions import release_policies_from_environment

    monkeypatch.setenv("RELEASE_POLICIES", "use_of_force=approved, calls_for_service=settled:48")
    sources, derived = release_policies_from_environment()
    policies = {s.name: s.published.release for s in sources}
    assert policies["use_of_force"].needs_approval
    assert policies["calls_for_service"].settle_hours == 48
    assert policies["calls_for_service"].closed_field == "timeclosed"
    assert derived[0].release == POLICE_RESPONSE_TIMES.release
    monkeypatch.setenv("RELEASE_POLICIES", "nobody=approved")
    with pytest.raises(ValueError, match="unknown datasets"):
        release_policies_from_environment()
