"""Generated internal calls for service: private values in unexpected fields, juvenile
types spelled every way, and reclassifications inside the 36-hour window.

A `CallCase` is one call as the OPCD CAD exports it: one version, or two when the police
reclassified the final type after the first export (the second written up to 36 hours
later, both in the raw window as a re-pull finds them). Its `private` values are what no
published value may contain; `is_juvenile` says whether any version's initial or final
type is juvenile, by the seed's codes or by the text a reader would recognise.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from hypothesis import strategies as st

from tests.privacy.addresses import typed_addresses
from tests.privacy.messy import BLANKS, messy, polluted
from tests.privacy.private_values import FIRST_NAMES, SURNAMES

SEEDS = Path(__file__).resolve().parents[2] / "dbt_project" / "seeds"
DAY = datetime(2022, 1, 1)
UTC_OFFSET = timedelta(hours=6)  # America/Chicago in January: :updated_at is UTC


def _seed(name: str) -> list[dict[str, str]]:
    with (SEEDS / f"{name}.csv").open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


JUVENILE_TYPES = [(row["type_code"], row["type_text"]) for row in _seed("juvenile_call_types")]
# Free texts a dispatcher types for a juvenile case under a code the seed does not list.
JUVENILE_FREE_TEXTS = [
    "Runaway juvenile", "juv complaint", "CHILD ABUSE/NEGLECT", "Missing child",
    "missing minor", "truant student", "welfare check under 12 yoa", "Cruelty to a child",
    "child neglect", "JUVENILE ATTACHMENT",
]  # fmt: skip
_JUVENILE_LOOKING = re.compile(r"JUV|RUNAWAY|TRUAN|CHILD|MINOR|YOA|ABUSE|NEGL")
ORDINARY_TYPES = [
    (row["type_code"], row["type_text"])
    for row in _seed("call_types")
    if not _JUVENILE_LOOKING.search(row["type_text"])
    and row["type_code"] not in {code for code, _ in JUVENILE_TYPES}
]
CLASSIFIED_CODES = {row["type_code"].upper() for row in _seed("call_types")}
# Texts a new code may carry that no seed list names: the first ones an ordinary call, the
# rest a child or a sensitive place under a code nobody has classified yet. Either way the
# call is held until the code is classified.
UNCLASSIFIED_TEXTS = [
    "DISTURBANCE", "SUSPICIOUS PERSON", "CHECK ON", "NOISE COMPLAINT", "CHILD ENDANGERMENT",
    "MISSING TEEN", "CURFEW VIOLATION", "SEXUAL ASSAULT KIT PROCESSED BY HOSPITAL",
]  # fmt: skip
DISPOSITIONS = [(row["disposition_code"], row["disposition_text"]) for row in _seed("dispositions")]


@dataclass
class CallCase:
    versions: list[dict[str, str | None]]
    private: set[str] = field(default_factory=set)
    is_juvenile: bool = False
    # Every version carries a type code (final or initial) the call_types seed lacks.
    is_unclassified: bool = False
    house_number: int = 0


def messy_code(code: str) -> st.SearchStrategy[str]:
    return st.builds(
        lambda recase, before, after: before + recase(code) + after,
        st.sampled_from([str.upper, str.lower, lambda c: c]),
        BLANKS,
        BLANKS,
    )


@st.composite
def juvenile_type(draw: st.DrawFn) -> tuple[str, str | None]:
    """A juvenile type as the CAD may send it: listed code and/or text, in any case."""
    code, text = draw(st.sampled_from(JUVENILE_TYPES))
    unknown_code = draw(st.from_regex(r"\AX[0-9]{2}[A-Z]?\Z"))
    kind = draw(st.sampled_from(["listed", "code_only", "text_only", "free_text"]))
    if kind == "listed":
        return draw(messy_code(code)), draw(messy(text))
    if kind == "code_only":
        return draw(messy_code(code)), draw(st.sampled_from([None, "", " "]))
    if kind == "text_only":
        return unknown_code, draw(messy(text))
    return unknown_code, draw(messy(draw(st.sampled_from(JUVENILE_FREE_TEXTS))))


@st.composite
def ordinary_type(draw: st.DrawFn, private: list[str]) -> tuple[str, str | None]:
    """A non-juvenile type, its text possibly carrying a private value."""
    if draw(st.integers(0, 3)):
        code, text = draw(st.sampled_from(ORDINARY_TYPES))
        code = draw(messy_code(code))
    else:
        code = draw(st.from_regex(r"\AZ[0-9]{2}[A-Z]?\Z"))
        text = draw(
            st.one_of(st.sampled_from(UNCLASSIFIED_TEXTS), st.from_regex(r"\A[A-Z]{3,12}\Z"))
        )
    return code, draw(polluted(draw(messy(text)), private))


def is_classified(code: str | None) -> bool:
    return code is None or " ".join(code.split()).upper() in CLASSIFIED_CODES


@st.composite
def call_cases(draw: st.DrawFn) -> CallCase:
    first, last = draw(st.sampled_from(FIRST_NAMES)), draw(st.sampled_from(SURNAMES))
    caller = f"{first} {last}"
    # Someone the call is about, named nowhere but in a free text.
    other = f"{draw(st.sampled_from(FIRST_NAMES))} {draw(st.sampled_from(SURNAMES))}"
    phone = draw(st.from_regex(r"\A\(504\) 555-0[0-9]{3}\Z"))
    # A house number in any position and form, unit designators after the street.
    house_number, typed_address = draw(typed_addresses())
    address = " ".join(typed_address.split())
    private = [caller, other, phone, address]

    juvenile_at = draw(st.sampled_from(["none"] * 5 + ["initial", "final", "later"]))
    initial = draw(juvenile_type() if juvenile_at == "initial" else ordinary_type(private))
    final = draw(juvenile_type() if juvenile_at == "final" else ordinary_type(private))
    reclassified = juvenile_at == "later" or draw(st.booleans())
    later = draw(juvenile_type() if juvenile_at == "later" else ordinary_type(private))

    created = DAY + timedelta(minutes=draw(st.integers(0, 23 * 60)))
    closed = created + timedelta(minutes=draw(st.integers(5, 600)))
    disposition, disposition_text = draw(st.sampled_from(DISPOSITIONS))
    if draw(st.integers(0, 5)) == 0:
        disposition = draw(st.from_regex(r"\A[A-Z]{2,4}\Z"))
    first_export = closed + timedelta(minutes=draw(st.integers(0, 60)))

    def version(final_type, exported: datetime) -> dict[str, str | None]:
        stamp = "%Y-%m-%dT%H:%M:%S.000"
        return {
            "type": final_type[0],
            "typetext": final_type[1],
            "priority": "1J",
            "initialtype": initial[0],
            "initialtypetext": initial[1],
            "initialpriority": "1J",
            "timecreate": created.strftime(stamp),
            "timedispatch": None,
            "timearrive": None,
            "timeclosed": closed.strftime(stamp),
            "disposition": disposition,
            "dispositiontext": draw(polluted(draw(messy(disposition_text)), private)),
            "selfinitiated": "N",
            "beat": "4C02",
            "address": draw(polluted(typed_address, [caller, phone])),
            "zip": "70114",
            "policedistrict": "4",
            "latitude": "29.92084957",
            "longitude": "-90.01455299",
            "caller_name": caller,
            "caller_phone": phone,
            "narrative": f"Caller {caller} ({phone}) reports trouble at {address}.",
            "_source_updated_at": (exported + UTC_OFFSET).strftime("%Y-%m-%dT%H:%M:%S.000Z"),
        }

    versions = [version(final, first_export)]
    if reclassified:
        # Up to 36 hours after the call closed, the police change its final type.
        changed = closed + timedelta(minutes=draw(st.integers(0, 36 * 60)))
        versions.append(version(later, max(changed, first_export)))
        if draw(st.booleans()):
            versions.reverse()
    return CallCase(
        versions=versions,
        private=set(private),
        is_juvenile=juvenile_at != "none",
        is_unclassified=not any(
            is_classified(v["type"]) and is_classified(v["initialtype"]) for v in versions
        ),
        house_number=house_number,
    )
