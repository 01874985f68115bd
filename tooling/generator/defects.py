"""The faults the pipeline exists to handle, and how often the generator injects them.

Each fault is a property of one call, decided by that call's own draws or, for the rarest, by
a per-day quota. None depends on where a generated span ends (no "more open calls on the last
day"), so a day's rows are identical whichever span produced them.
"""

from __future__ import annotations

from datetime import date
from random import Random

Row = dict[str, str | None]

OPEN_SHARE = 0.015  # still open in the CAD: no close time, no disposition
JUVENILE_SHARE = 0.005  # juvenile final or initial type (removed by law before publishing)
JUVENILE_INITIAL_ONLY_SHARE = 0.4  # of those, reclassified to a non-juvenile final type
MISSPELLED_SHARE = 0.03  # a variant spelling of the type text
EXACT_DUPLICATE_SHARE = 0.005  # the same row twice, :updated_at included
RESENT_SHARE = 0.01  # an earlier version with an earlier :updated_at, then the final one
MISSING_ID_SHARE = 0.0005  # no nopd_item
BAD_TIMESTAMP_SHARE = 0.0005  # unparsable timecreate

# Per-fault offsets into the golden-ratio sequence, so the rare faults do not share days.
QUOTA_PHASES = {"missing_id": 0.0, "bad_timestamp": 1 / 3, "test_calls": 2 / 3}
_GOLDEN = 0.6180339887498949


def daily_quota(calls: int, share: float, day: date, fault: str) -> int:
    """How many of a day's calls get a rare fault.

    ``calls * share`` is rounded by a phase that walks the golden-ratio sequence from day to
    day, so totals over any run of days stay close to their expectation instead of drifting
    by luck (at scale 1, every 7-day window of 2011-2026 holds at least two of each), while
    each day is still decided by its date alone.
    """
    phase = (day.toordinal() * _GOLDEN + QUOTA_PHASES[fault]) % 1.0
    return int(calls * share + phase)


def pick_indices(rng: Random, count: int, population: int) -> set[int]:
    """``count`` distinct positions among a day's calls."""
    chosen: set[int] = set()
    while len(chosen) < min(count, population):
        chosen.add(int(rng.random() * population))
    return chosen
