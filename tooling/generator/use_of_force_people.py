"""Who a use-of-force report is about: officers from a yearly roster, and the subjects.

The internal report names them (officer name and badge, subject name and date of birth) and
says where it happened and what was done in a narrative; the public dataset keeps only their
demographics, so the pipeline must drop every identity yet keep one list entry per person.
Names come from the invented lists in ``people``, addresses from the CAD street segments, so
nothing real is at risk.

Officers are drawn from a roster fixed by (seed, year), so an officer keeps one name, badge
and demographics across all incidents of a year, as real officers appear in many reports.
Their demographics follow the per-officer distributions of the real exports.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache, lru_cache
from random import Random

from tooling.generator.people import person_name
from tooling.generator.places import pick_location
from tooling.generator.reference import Reference, load_reference
from tooling.generator.use_of_force_reference import (
    UseOfForceReference,
    load_use_of_force_reference,
)

ROSTER_SIZE = 1000  # roughly NOPD's sworn strength in the 2020s
BADGE_RANGE = (1000, 31000)  # 4- and 5-digit badge numbers
JUVENILE_BELOW = 18
# A subject's columns drawn on their own (the age comes with a matching birth date).
SUBJECT_DRAWN = (
    "subject_gender", "subject_ethnicity", "subject_build", "subject_height", "subject_injured",
    "subject_hospitalized", "subject_arrested", "subject_arrest_charges",
    "subject_influencing_factors",
)  # fmt: skip

Row = dict[str, str | None]

# Narratives name the first officer, the first subject and the exact address.
NARRATIVES = (
    "{officer} used {force} on {subject} at {address}.",
    "{officer} (badge {badge}), {service}: force used on {subject} at {address} ({force}).",
    "At {address}, {subject} resisted and {officer} applied {force}.",
    "{subject} was detained at {address} after {officer} used {force}.",
)
NO_SUBJECT_NARRATIVE = "{officer} reported {force} at {address}; no subject was identified."


@dataclass(frozen=True, slots=True)
class Officer:
    """One roster entry: identity and demographics for a year (age as of that year)."""

    name: str
    badge: str
    race_ethnicity: str | None
    gender: str | None
    age: int
    years_of_service: int


def spelled(rng: Random, ref: UseOfForceReference, column: str, value: str) -> str | None:
    """A drawn canonical value as written: sometimes a variant spelling; blank as None.

    Only values the corrections table lists draw from ``rng``, so adding a variant to one
    value does not shift every other draw.
    """
    variants = ref.variants.get((column, value))
    if variants is not None and rng.random() < variants.share:
        return variants.spellings.pick(rng)
    return value or None


def draw(rng: Random, ref: UseOfForceReference, column: str) -> str | None:
    """One value of a column drawn on its own (see ``use_of_force_values.csv``)."""
    return spelled(rng, ref, column, ref.values[column].pick(rng))


@lru_cache(maxsize=64)
def roster(seed: int, year: int) -> tuple[Officer, ...]:
    """The year's officers, with distinct badge numbers."""
    ref = load_use_of_force_reference()
    rng = Random(f"{seed}|{year}|use-of-force|roster")
    low, high = BADGE_RANGE
    badges: set[int] = set()
    officers = []
    while len(officers) < ROSTER_SIZE:
        badge = low + int(rng.random() * (high - low))
        if badge in badges:
            continue
        badges.add(badge)
        age = int(ref.values["officer_age"].pick(rng))
        officers.append(
            Officer(
                name=f"Ofc. {person_name(rng)}",
                badge=str(badge),
                race_ethnicity=draw(rng, ref, "officer_race_ethnicity"),
                gender=draw(rng, ref, "officer_gender"),
                age=age,
                years_of_service=age - ref.hire_ages[age].pick(rng),
            )
        )
    return tuple(officers)


def officer_fields(officer: Officer) -> Row:
    """The columns an officer fills on every row of theirs, identity included."""
    return {
        "officer_race_ethnicity": officer.race_ethnicity,
        "officer_gender": officer.gender,
        "officer_age": str(officer.age),
        "officer_years_of_service": str(officer.years_of_service),
        "officer_name": officer.name,
        "officer_badge_number": officer.badge,
    }


def subjects(rng: Random, ref: UseOfForceReference, day: date, count: int) -> list[Row]:
    """``count`` subjects with distinct names; a known age comes with a matching birth date."""
    names: set[str] = set()
    drawn = []
    while len(drawn) < count:
        name = person_name(rng)
        if name in names:
            continue
        names.add(name)
        age = ref.values["subject_age"].pick(rng)
        subject: Row = {column: draw(rng, ref, column) for column in SUBJECT_DRAWN}
        subject |= {
            "subject_age": age or None,
            "subject_name": name,
            "subject_date_of_birth": birth_date(rng, day, int(age)).isoformat() if age else None,
        }
        drawn.append(subject)
    return drawn


def is_juvenile(subject: Row) -> bool:
    age = subject["subject_age"]
    return age is not None and int(age) < JUVENILE_BELOW


def birth_date(rng: Random, day: date, age: int) -> date:
    """A birth date that makes someone exactly ``age`` years old on ``day``."""
    latest = _years_before(day, age)
    earliest = _years_before(day, age + 1) + timedelta(days=1)
    return earliest + timedelta(days=int(rng.random() * ((latest - earliest).days + 1)))


def _years_before(day: date, years: int) -> date:
    """The same day ``years`` earlier; 29 February becomes 28 February in common years."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


@cache
def _house_numbers() -> Reference:
    """The CAD places, restricted to house-numbered addresses (a report names the house)."""
    ref = load_reference()
    rates = {**ref.rates, "highway_share": 0.0, "intersection_share": 0.0, "ungeocoded_share": 0.0}
    return dataclasses.replace(ref, rates=rates)


def incident_address(rng: Random) -> str:
    """A full address such as ``3021 Oliver White Ave``."""
    return pick_location(rng, _house_numbers()).address


def narrative(
    rng: Random, *, officer: Officer, subject: Row | None, force: str, service: str, address: str
) -> str:
    """The report's summary, naming the first officer and subject and the address."""
    fields = {
        "officer": officer.name,
        "badge": officer.badge,
        "force": force.strip().lower(),
        "service": service.lower() if service else "other",
        "address": address,
    }
    if subject is None:
        return NO_SUBJECT_NARRATIVE.format(**fields)
    template = NARRATIVES[int(rng.random() * len(NARRATIVES))]
    return template.format(subject=subject["subject_name"], **fields)
