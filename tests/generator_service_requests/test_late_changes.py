"""Rows are updated in place: a later as_of moves some requests on, and changes nothing else."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from tooling.generator.clock import system_timestamp
from tooling.generator.service_requests import generate_service_requests

SPAN = (date(2026, 11, 2), date(2026, 11, 4))
FIRST_AS_OF = datetime(2026, 11, 5)
LATER_AS_OF = FIRST_AS_OF + timedelta(days=30)
# What a request's progress changes: its workflow state, who works it, and when it changed.
WORKFLOW = {
    "status", "request_status", "contractor", "contractor_action",
    "date_modified", "case_close_date", ":updated_at",
}  # fmt: skip


@pytest.fixture(scope="module")
def versions() -> tuple[dict[str, dict], dict[str, dict]]:
    """The span's rows at two moments, keyed by rowid (present even where the id is missing)."""
    first = generate_service_requests(*SPAN, as_of=FIRST_AS_OF)
    later = generate_service_requests(*SPAN, as_of=LATER_AS_OF)
    return {r["rowid"]: r for r in first}, {r["rowid"]: r for r in later}


def test_later_as_of_keeps_the_same_requests(versions):
    first, later = versions
    assert first
    assert first.keys() == later.keys()


def test_later_as_of_changes_only_the_workflow_columns(versions):
    first, later = versions
    changed = {
        column
        for rowid, row in first.items()
        for column, value in row.items()
        if later[rowid][column] != value
    }
    assert changed <= WORKFLOW
    assert {"status", "date_modified", "case_close_date", ":updated_at"} <= changed


def test_later_as_of_closes_some_pending_requests_and_reopens_none(versions):
    first, later = versions
    closed_first = {k for k, row in first.items() if row["request_status"] == "Closed"}
    closed_later = {k for k, row in later.items() if row["request_status"] == "Closed"}
    assert closed_first < closed_later
    assert all(first[k] == later[k] for k in closed_first)


def test_date_modified_is_the_latest_change_at_or_before_as_of(versions):
    for as_of, rows in zip((FIRST_AS_OF, LATER_AS_OF), versions, strict=True):
        for row in rows.values():
            modified = datetime.fromisoformat(row["date_modified"])
            assert modified <= as_of
            assert row[":updated_at"] == system_timestamp(modified)


def test_requests_created_after_as_of_are_not_exported():
    as_of = datetime(2026, 11, 3, 12, 0)
    rows = list(generate_service_requests(*SPAN, as_of=as_of))
    every = list(generate_service_requests(*SPAN))
    # Rows come in creation order, so those made by as_of are a prefix of the whole span's.
    assert 0 < len(rows) < len(every)
    assert [row["rowid"] for row in rows] == [row["rowid"] for row in every[: len(rows)]]
    assert every[len(rows)]["date_created"] > as_of.isoformat()
    assert not list(generate_service_requests(*SPAN, as_of=datetime(2026, 11, 1)))
