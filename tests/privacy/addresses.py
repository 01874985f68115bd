"""Addresses as call takers type them, and the oracle for what a published one may hold.

Shared by the function's own property tests (tests/warehouse/test_block_addresses.py) and
the generated calls and requests pushed through the real dbt build (tests/privacy). The
oracle is written here, apart from orchestration/warehouse/block_addresses.py: it says what
may be published, not how the module gets there.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

from hypothesis import strategies as st

from tests.privacy.private_values import STREETS

SEED = Path(__file__).resolve().parents[2] / "dbt_project" / "seeds" / "public_place_names.csv"
with SEED.open(newline="", encoding="utf-8") as handle:
    NAMED_PLACES = [row["place_name"] for row in csv.DictReader(handle)]

UNITS = ("Apt", "Apartment", "Unit", "Ste", "Suite", "Rm", "Room", "Bldg", "Fl", "Trlr", "Spc")
STANDING_UNITS = ("Rear", "Bsmt", "Uppr", "Lowr", "Frnt", "Lbby")


def unsafe_parts(published: str) -> list[str]:
    """What a published address must not hold: a digit outside a hundred-block, an ordinal
    street or a named place of the seed; a `#`; a unit designator."""
    rest = published.upper()
    for name in sorted(NAMED_PLACES, key=len, reverse=True):
        rest = rest.replace(name.upper(), " ")
    rest = re.sub(r"\b(\d{3}XX|XX|X)\b", " ", rest)
    rest = re.sub(r"\b(\d{0,2}1ST|\d{0,2}2ND|\d{0,2}3RD|\d{1,3}TH)\b", " ", rest)
    found = re.findall(r"\d+|#", rest)
    words = set(re.findall(r"[A-Z]+", published.upper()))
    return found + sorted(words & {unit.upper() for unit in UNITS + STANDING_UNITS})


BLANK = st.sampled_from([" ", "  ", "\u00a0", " \u00a0 "])
RECASE = st.sampled_from([str.upper, str.lower, str.title, lambda text: text])


@st.composite
def house_numbers(draw: st.DrawFn) -> tuple[int, str]:
    number = draw(st.integers(1, 99_999))
    suffix = draw(st.sampled_from(["", "", "A", "-B", f"-{number % 100 + 1}", " 1/2"]))
    return number, f"{number}{suffix}"


@st.composite
def unit_designators(draw: st.DrawFn) -> str:
    if draw(st.booleans()):
        return draw(RECASE)(draw(st.sampled_from(STANDING_UNITS)))
    unit = draw(st.sampled_from([*UNITS, "#"]))
    identifier = draw(st.from_regex(r"\A([0-9]{1,4}[A-Z]?|[A-Z])\Z"))
    dot = draw(st.sampled_from(["", "."])) if unit != "#" else ""
    between = (
        draw(st.sampled_from([" ", "", " # ", "#"]))
        if unit != "#"
        else draw(st.sampled_from([" ", ""]))
    )
    return draw(RECASE)(unit) + dot + between + identifier


@st.composite
def typed_addresses(draw: st.DrawFn) -> tuple[int, str]:
    """A house number in any position and form, with units before or after the street."""
    number, written = draw(house_numbers())
    street = draw(RECASE)(draw(st.sampled_from(STREETS)))
    position = draw(st.sampled_from(["start", "end", "prefix", "hash", "glued", "rear"]))
    text = {
        "start": f"{written} {street}",
        "end": f"{street} {written}",
        "prefix": f"Approx Loc:{written} {street}",
        "hash": f"#{written} {street}",
        "glued": f"{written}{street}",
        "rear": f"Rear {written} {street}",
    }[position]
    if position == "glued" and (
        not written.isdigit() or street[:2].upper() in {"ST", "ND", "RD", "TH"}
    ):
        # 3021AOliver is a different street, and 21St Claude Ave reads as 21st Claude Ave:
        # a number glued to such a street is not told apart from an ordinal.
        text = f"{written} {street}"
    for _ in range(draw(st.integers(0, 2))):
        text = f"{text}{draw(BLANK)}{draw(unit_designators())}"
    return number, draw(BLANK) + text + draw(BLANK)
