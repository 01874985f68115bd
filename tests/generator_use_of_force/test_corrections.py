"""Every spelling the generator writes is canonical or listed in the corrections table."""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path

from tests.generator_use_of_force.conftest import corrections
from tooling.generator.use_of_force import FORCE_COLUMNS, INCIDENT_COLUMNS
from tooling.generator.use_of_force_people import SUBJECT_DRAWN
from tooling.generator.use_of_force_reference import ASSIGNMENT, table

REPO = Path(__file__).resolve().parents[2]
PIPELINE_SEED = REPO / "dbt_project" / "seeds" / "use_of_force_value_corrections.csv"
CATEGORIES = (
    *INCIDENT_COLUMNS, *FORCE_COLUMNS, *SUBJECT_DRAWN, "officer_race_ethnicity",
    "officer_gender", "officer_injured", "distance_between",
)  # fmt: skip
README_VARIANTS = {
    ("subject_influencing_factors", "Alchohol"),
    ("originating_bureau", "Office of the Superintendant"),
    ("originating_bureau", "MSB - Management Service Bureau"),
    ("originating_bureau", "ISB - Investigations and Support Bureau"),
    ("use_of_force_reason", "refuse verbal commands"),
}


def canonical_values() -> dict[str, set[str]]:
    """Each column's canonical values, as the reference tables hold them ("" = blank)."""
    domain: dict[str, set[str]] = defaultdict(set)
    for row in table("use_of_force_values.csv"):
        domain[row["column"]].add(row["value"])
    for row in table("use_of_force_pairs.csv"):
        domain[row["column_a"]].add(row["value_a"])
        domain[row["column_b"]].add(row["value_b"])
    for row in table("use_of_force_assignments.csv"):
        for column in ASSIGNMENT:
            domain[column].add(row[column])
    return domain


def test_every_written_value_is_canonical_or_a_listed_variant(busy_rows, year_rows):
    domain, variants = canonical_values(), corrections()
    written = {(column, row[column]) for row in busy_rows + year_rows for column in CATEGORIES}
    odd = {
        (column, value)
        for column, value in written
        if value not in domain[column] and (column, value) not in variants
    }
    assert not odd
    assert {pair for pair in written if pair in variants} >= README_VARIANTS


def test_variants_correct_to_canonical_values_and_never_to_other_variants():
    domain, variants = canonical_values(), corrections()
    for (column, variant), canonical in variants.items():
        assert variant not in domain[column], (column, variant)
        assert canonical in domain[column], (column, canonical)
        assert (column, canonical) not in variants


def test_the_pipeline_seed_corrects_every_variant_the_generator_writes():
    with PIPELINE_SEED.open(encoding="utf-8", newline="") as f:
        seed = {(r["column_name"], r["variant"]): r["canonical"] for r in csv.DictReader(f)}
    assert seed == corrections()


def test_shares_say_how_often_a_value_is_written_another_way():
    shares = defaultdict(float)
    for row in table("use_of_force_corrections.csv"):
        assert 0 < float(row["share"]) <= 1
        shares[(row["column_name"], row["canonical"])] += float(row["share"])
    assert all(total <= 1.0001 for total in shares.values())
