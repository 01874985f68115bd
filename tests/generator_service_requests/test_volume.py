"""Volume: the city's rate of requests, weekday-heavy, and the sequence that numbers them."""

from __future__ import annotations

from datetime import date, datetime

from tests.generator_service_requests.conftest import FORTNIGHT
from tooling.generator.service_requests import generate_service_requests

# README 4.1: a live row of 2026-08-22 23:39 had rowid 1312210.
LIVE_ROW_ROWID = 1_312_210


def test_fortnight_holds_about_the_citys_daily_rate(fortnight_export):
    # 191 requests a day on average (README 4.1), 0.9 of it in November.
    assert 150 < fortnight_export.rows / fortnight_export.days < 200


def test_weekdays_are_busier_than_weekends(fortnight_rows):
    per_day: dict[date, int] = {}
    for row in fortnight_rows:
        day = date.fromisoformat(row["date_created"][:10])
        per_day[day] = per_day.get(day, 0) + 1
    weekdays = [n for day, n in per_day.items() if day.weekday() < 5]
    weekends = [n for day, n in per_day.items() if day.weekday() >= 5]
    assert min(weekdays) > max(weekends)


def test_request_numbers_reach_the_live_rows_number_on_its_day():
    day = date(2026, 8, 22)
    rows = list(generate_service_requests(day, day, as_of=datetime(2026, 8, 22, 23, 40)))
    assert abs(int(rows[-1]["rowid"]) - LIVE_ROW_ROWID) < 0.01 * LIVE_ROW_ROWID


def test_scale_multiplies_the_volume(fortnight_export):
    start, end = FORTNIGHT
    half = sum(1 for _ in generate_service_requests(start, end, scale=0.5))
    assert 0.4 < half / fortnight_export.rows < 0.6
