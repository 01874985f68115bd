"""Daily volume follows the reference: the month's rate times the weekday factor, times scale."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

from tooling.generator import generate_calls
from tooling.generator.reference import load_reference


def _calls_per_day(start: date, end: date, scale: float = 1.0) -> Counter[str]:
    """Calls (not rows) per day: every item number once, plus the rows that lost theirs."""
    seen: set[str] = set()
    days: Counter[str] = Counter()
    for row in generate_calls(start, end, scale=scale):
        if row["nopd_item"] in seen:
            continue
        if row["nopd_item"]:
            seen.add(row["nopd_item"])
        days[row["timecreate"][:10]] += 1
    return days


def _expected(day: date) -> float:
    ref = load_reference()
    return ref.calls_per_day[day.month] * ref.weekday_factors[day.weekday()]


def test_daily_volume_stays_near_the_reference():
    start = date(2026, 6, 1)
    days = [start + timedelta(days=n) for n in range(14)]
    counts = _calls_per_day(days[0], days[-1])
    for day in days:
        assert abs(counts[day.isoformat()] / _expected(day) - 1) < 0.15, day
    total = sum(counts.values()) / sum(_expected(day) for day in days)
    assert 0.95 < total < 1.05
    assert all(900 < counts[day.isoformat()] < 1400 for day in days)


def test_scale_multiplies_the_volume():
    day = date(2026, 6, 3)
    half = sum(_calls_per_day(day, day, scale=0.5).values())
    assert abs(half / (0.5 * _expected(day)) - 1) < 0.2
