"""Days missing between the first and the newest published day of a public dataset.

The freshness check reads only the newest published day, so a day that failed between two
good ones goes unnoticed: the dataset looks fresh with a hole in it. Every local day from
the first published one to the newest must have been published (a partition, so a day
without use-of-force incidents counts as published).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

SHOWN_DAYS = 10  # how many missing days a check names; the count says the rest


def missing_days(published: Iterable[str]) -> list[date]:
    """The days absent from `published` (partition keys, ISO dates) between its first and
    its last, in order."""
    days = {date.fromisoformat(key) for key in published}
    if not days:
        return []
    first, last = min(days), max(days)
    every = (first + timedelta(days=n) for n in range((last - first).days + 1))
    return [day for day in every if day not in days]


def describe_missing(missing: list[date], shown: int = SHOWN_DAYS) -> str:
    """`2 days missing: 2026-11-02, 2026-11-05` (the first `shown`, then how many more)."""
    if not missing:
        return "no day missing"
    names = ", ".join(day.isoformat() for day in missing[:shown])
    more = f" and {len(missing) - shown} more" if len(missing) > shown else ""
    plural = "day" if len(missing) == 1 else "days"
    return f"{len(missing)} {plural} missing: {names}{more}"
