"""The use-of-force generator's reference tables, loaded once per process, ready to draw.

The ``use_of_force_*.csv`` tables beside the CAD tables are aggregates of the city's published
use-of-force exports, written by ``scripts/derive_generator_reference.py --use-of-force``; no
real row is stored. They hold canonical spellings only, and ``use_of_force_corrections.csv``
says how often each value is written another way, so the generator can misspell exactly the
variants the pipeline's correction seed lists. Here each table becomes a sampler, so the
per-incident loop does no parsing.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

from tooling.generator.sampling import Weighted

REFERENCE_PACKAGE = "tooling.generator.reference"
ASSIGNMENT = ("originating_bureau", "division_level", "division", "unit")
COMPLETED = "Completed"
# Dispositions that do not decide a case: an incident re-exported once decided cannot end so.
UNDECIDED = {"", "Pending"}


@dataclass(frozen=True, slots=True)
class Variants:
    """The other spellings of one canonical value: how often, and which (by their shares)."""

    share: float
    spellings: Weighted[str]


@dataclass(frozen=True)
class UseOfForceReference:
    """Every use-of-force table in draw-ready form.

    ``values`` and ``pairs`` hold canonical values, ``""`` standing for a blank cell.
    ``hire_ages`` maps an officer's age to the ages at hire that fit it. ``variants`` is keyed
    by ``(column, canonical value)``; ``variant_cells`` is the set of ``(column, variant)``.
    """

    values: dict[str, Weighted[str]]
    pairs: dict[tuple[str, str], Weighted[tuple[str, str]]]
    completed_outcomes: Weighted[tuple[str, str]]
    assignments: Weighted[tuple[str, str, str, str]]
    structure: dict[str, Weighted[int]]
    hire_ages: dict[int, Weighted[int]]
    incidents_per_day: dict[int, float]
    weekday_factors: tuple[float, ...]
    variants: dict[tuple[str, str], Variants]
    variant_cells: frozenset[tuple[str, str]]
    rates: dict[str, float]


def table(name: str) -> list[dict[str, str]]:
    """The rows of one reference table (``use_of_force_values.csv`` ...)."""
    with files(REFERENCE_PACKAGE).joinpath(name).open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@cache
def load_use_of_force_reference() -> UseOfForceReference:
    """Parse every use-of-force table once; the result is shared by all generator calls."""
    by_column: dict[str, list[tuple[str, float]]] = defaultdict(list)
    for row in table("use_of_force_values.csv"):
        by_column[row["column"]].append((row["value"], float(row["count"])))
    hires = [(int(value), count) for value, count in by_column["officer_hire_age"]]

    by_pair: dict[tuple[str, str], list[tuple[tuple[str, str], float]]] = defaultdict(list)
    for row in table("use_of_force_pairs.csv"):
        key = (row["column_a"], row["column_b"])
        by_pair[key].append(((row["value_a"], row["value_b"]), float(row["count"])))
    decided = [
        (pair, count)
        for pair, count in by_pair[("investigation_status", "disposition")]
        if pair[0] == COMPLETED and pair[1] not in UNDECIDED
    ]
    assignments = [
        (tuple(row[column] for column in ASSIGNMENT), float(row["count"]))
        for row in table("use_of_force_assignments.csv")
    ]

    by_measure: dict[str, list[tuple[int, float]]] = defaultdict(list)
    for row in table("use_of_force_structure.csv"):
        by_measure[row["measure"]].append((int(row["size"]), float(row["count"])))
    volume = {}
    for row in table("use_of_force_volume.csv"):
        volume[(row["kind"], int(row["key"]))] = float(row["value"])

    spellings: dict[tuple[str, str], list[tuple[str, float]]] = defaultdict(list)
    for row in table("use_of_force_corrections.csv"):
        key = (row["column_name"], row["canonical"])
        spellings[key].append((row["variant"], float(row["share"])))

    return UseOfForceReference(
        values={column: Weighted(pairs) for column, pairs in by_column.items()},
        pairs={key: Weighted(pairs) for key, pairs in by_pair.items()},
        completed_outcomes=Weighted(decided),
        assignments=Weighted(assignments),
        structure={measure: Weighted(pairs) for measure, pairs in by_measure.items()},
        hire_ages={
            int(age): Weighted((hire, n) for hire, n in hires if hire <= int(age))
            for age, _ in by_column["officer_age"]
        },
        incidents_per_day={key: value for (kind, key), value in volume.items() if kind == "month"},
        weekday_factors=tuple(volume[("weekday", day)] for day in range(7)),
        variants={
            key: Variants(min(1.0, sum(share for _, share in pairs)), Weighted(pairs))
            for key, pairs in spellings.items()
        },
        variant_cells=frozenset(
            (column, variant) for (column, _), pairs in spellings.items() for variant, _ in pairs
        ),
        rates={row["name"]: float(row["value"]) for row in table("use_of_force_rates.csv")},
    )
