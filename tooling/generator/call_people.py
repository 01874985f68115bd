"""The private parts of a day's 911 calls, drawn as arrays: caller, callback number, notes.

They exist only in the internal export and the pipeline must never publish them. Names come
from the short lists in ``people`` and numbers from the fictional 555-01xx range, so nothing
real is at risk; notes repeat the caller's name and number and name a third person next to
the exact address, as a privacy filter has to expect. Draws are codes into small
vocabularies (every full name, every number, every date of birth), turned into text per
batch in ``call_text``.
"""

from __future__ import annotations

from functools import cache

import numpy as np

from tooling.generator.draws import Choice, Uniforms
from tooling.generator.people import (
    AREA_CODES,
    CALLER_NOTE_SHARE,
    CALLER_NOTES,
    FIRST_NAMES,
    LAST_NAMES,
    NAMED_SHARE,
    OFFICER_NOTE_SHARE,
    OFFICER_NOTES,
    PHONE_SHARE,
)

TEMPLATES = CALLER_NOTES + OFFICER_NOTES  # officer notes start at len(CALLER_NOTES)
DOB_YEARS = 55  # born 1950-2004
_AREA = Choice(AREA_CODES.weights())


@cache
def names() -> list[str]:
    """Every ``First Last`` pair, first name major."""
    return [f"{first} {last}" for first in FIRST_NAMES for last in LAST_NAMES]


@cache
def phones() -> list[str]:
    """Every fictional number, area code major: ``(504) 555-0100``."""
    return [f"({area}) 555-01{n:02d}" for area in AREA_CODES.values for n in range(100)]


@cache
def births() -> list[str]:
    """Every date of birth a note can give: ``MM/DD/YYYY`` with days 1-28."""
    return [
        f"{month:02d}/{day:02d}/{1950 + year}"
        for month in range(1, 13)
        for day in range(1, 29)
        for year in range(DOB_YEARS)
    ]


def draw_people(u: Uniforms, selfinitiated: np.ndarray) -> dict[str, np.ndarray]:
    """Per call: caller name, phone, note template, subject and date of birth (``-1``: none).

    Officers who start a call in the field have no caller, but may still write notes.
    """
    name_count = len(FIRST_NAMES) * len(LAST_NAMES)
    named = ~selfinitiated & (u() < NAMED_SHARE)
    with_phone = ~selfinitiated & (u() < PHONE_SHARE)
    share = np.where(selfinitiated, OFFICER_NOTE_SHARE, CALLER_NOTE_SHARE)
    noted = u() < share
    caller_template = _below(u(), len(CALLER_NOTES))
    officer_template = len(CALLER_NOTES) + _below(u(), len(OFFICER_NOTES))
    phone = _AREA.pick(u()) * 100 + _below(u(), 100)
    return {
        "caller": np.where(named, _below(u(), name_count), -1),
        "phone": np.where(with_phone, phone, -1),
        "template": np.where(noted, np.where(selfinitiated, officer_template, caller_template), -1),
        "subject": _below(u(), name_count),
        "birth": _below(u(), 12 * 28 * DOB_YEARS),
    }


def _below(u: np.ndarray, count: int) -> np.ndarray:
    """Uniform integers in ``0..count-1``."""
    return (u * count).astype(np.int64)
