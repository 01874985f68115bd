"""Repeat reports: the same problem at the same address again within days, for the pipeline."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from tests.generator_service_requests.conftest import FORTNIGHT
from tooling.generator.service_requests import generate_service_requests

WINDOW = timedelta(days=7)


def _earlier_reports(rows: list[dict[str, str]]) -> dict[str, datetime]:
    """For each row, by rowid, the creation of the earliest report it repeats within 7 days."""
    by_problem: dict[tuple[str, str, str], list[tuple[datetime, str]]] = defaultdict(list)
    for row in rows:
        try:
            created = datetime.fromisoformat(row["date_created"])
        except ValueError:
            continue  # a garbled date_created: the pipeline quarantines it
        key = (row["final_address"], row["request_type"], row["request_reason"])
        by_problem[key].append((created, row["rowid"]))
    originals = {}
    for reports in by_problem.values():
        reports.sort(key=lambda report: (report[0], int(report[1])))
        for index, (created, rowid) in enumerate(reports):
            earlier = [c for c, _ in reports[:index] if created - c <= WINDOW]
            if earlier:
                originals[rowid] = earlier[0]
    return originals


def test_repeats_are_about_eight_percent_of_a_fortnight(fortnight_export):
    assert 0.05 < fortnight_export.repeats / fortnight_export.rows < 0.11


def test_every_repeat_follows_a_report_of_the_same_problem_within_seven_days(fortnight_export):
    start, end = FORTNIGHT
    # A week before the fortnight too, so that repeats of its first days find their originals.
    rows = list(generate_service_requests(start - WINDOW, end))
    inside = {row["rowid"] for row in rows if row["date_created"][:10] >= start.isoformat()}
    found = [rowid for rowid in _earlier_reports(rows) if rowid in inside]
    # Every generated repeat is found; independent requests coincide only by rare chance.
    assert fortnight_export.repeats <= len(found) <= fortnight_export.repeats * 1.05 + 2


def test_repeats_fall_on_the_same_day_and_on_later_days(fortnight_rows):
    created = {row["rowid"]: row["date_created"] for row in fortnight_rows}
    lags = {
        (datetime.fromisoformat(created[rowid]).date() - original.date()).days
        for rowid, original in _earlier_reports(fortnight_rows).items()
    }
    assert 0 in lags
    assert lags & {1, 2, 3}
    assert max(lags) <= 7
