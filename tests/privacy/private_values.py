"""The private values the generated records carry, and the oracle that finds them.

Names and streets come from small fixed pools chosen so that no pool word is also a call
type, category or street word the rules could legitimately publish: a hit is a leak, never
a coincidence. The oracle compares the way a reader would: case and runs of whitespace do
not matter ("MARIE  boudreaux" is Marie Boudreaux).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

FIRST_NAMES = ("Marie", "Camille", "Antoine", "Lucille", "Dwayne", "Yvette", "Clovis", "Odile")
SURNAMES = (
    "Boudreaux", "Thibodeaux", "Fontenot", "Guidry", "Arceneaux", "Robichaux", "Melancon",
    "Trahan",
)  # fmt: skip
STREETS = (
    "Oliver White Ave", "General De Gaulle Dr", "Whitmore Pl", "Elysian Fields Ave",
    "Tchoupitoulas St", "N Claiborne Ave", "Chef Menteur Hwy", "St Claude Ave",
)  # fmt: skip

_SPACES = re.compile(r"[\s\u00a0]+")


def folded(text: object) -> str:
    """A text as compared: upper case, every run of whitespace one space, trimmed."""
    return _SPACES.sub(" ", str(text)).strip().upper()


def leaked(published_values: Iterable[object], private_values: Iterable[str]) -> set[str]:
    """The private values found inside any of the published values."""
    haystack = "\x00".join(folded(value) for value in published_values if value is not None)
    return {value for value in private_values if folded(value) in haystack}
