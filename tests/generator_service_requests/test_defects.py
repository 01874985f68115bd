"""Rare broken rows: a missing request number, and a date_created that does not parse."""

from __future__ import annotations

import re
from datetime import date, datetime

import pytest

from tests.generator_service_requests.conftest import read_rows
from tooling.generator.service_requests import write_service_requests_export

TWO_MONTHS = (date(2026, 5, 1), date(2026, 6, 30))


@pytest.fixture(scope="module")
def two_months(tmp_path_factory):
    summary = write_service_requests_export(tmp_path_factory.mktemp("defects"), *TWO_MONTHS)
    return summary, read_rows(summary.path)


def test_some_rows_lack_a_service_request_but_keep_their_rowid(two_months):
    summary, rows = two_months
    missing = [row for row in rows if not row["service_request"]]
    assert len(missing) == summary.missing_id
    assert 2 <= len(missing) <= 0.001 * len(rows)
    assert all(row["rowid"] for row in missing)


def test_bad_date_created_keeps_its_day_and_does_not_parse(two_months):
    summary, rows = two_months
    bad = []
    for row in rows:
        try:
            datetime.fromisoformat(row["date_created"])
        except ValueError:
            bad.append(row)
    assert len(bad) == summary.bad_timestamp
    assert 2 <= len(bad) <= 0.001 * len(rows)
    for row in bad:
        assert re.match(r"2026-0[56]-\d\dT", row["date_created"])
        assert row["date_modified"][:10] >= row["date_created"][:10]
