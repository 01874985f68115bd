"""Generated incidents look like the city's: volume, shape, and the main distributions."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pandas as pd

from tests.generator_use_of_force.conftest import corrections, latest, versions
from tooling.generator.use_of_force import generate_use_of_force
from tooling.generator.use_of_force_reference import table

CURRENT = "use_of_force/NOPD_Use_of_Force_Incidents_20240701.csv"
TOLERANCE = 0.06  # total variation distance between generated and real shares


def distance(generated: Counter, real: Counter) -> float:
    """Total variation distance between two frequency tables."""
    total_g, total_r = sum(generated.values()), sum(real.values())
    keys = set(generated) | set(real)
    return sum(abs(generated[k] / total_g - real[k] / total_r) for k in keys) / 2


def canonical(column: str, value: str) -> str:
    return corrections().get((column, value), value)


def real_export(real_data) -> pd.DataFrame:
    rows = pd.read_csv(real_data / CURRENT, dtype=str, keep_default_na=False)
    return rows.rename(columns=lambda name: name.lower().replace(" ", "_").replace("/", "_"))


def real_entries(rows: pd.DataFrame, column: str) -> Counter:
    """Entries of a " | "-joined column, canonical, one per list entry."""
    entries = rows[column].str.split(" | ", regex=False).explode()
    return Counter(canonical(column, value) for value in entries)


def generated_forces(rows) -> list[dict[str, str]]:
    """One row per officer and force type of each incident's latest version."""
    forces = {}
    for row in latest(rows):
        forces[(row["pib_file_number"], row["officer_badge_number"], row["use_of_force_type"])] = (
            row
        )
    return list(forces.values())


def test_a_year_holds_350_to_600_incidents_with_many_quiet_days():
    rows = list(generate_use_of_force(date(2026, 1, 1), date(2026, 12, 31)))
    numbers = {row["pib_file_number"] for row in rows}
    days = {row["date_occurred"] for row in rows}
    assert 350 <= len(numbers) <= 600
    assert 365 - len(days) > 60


def test_rows_per_incident_match_the_old_layout_exports(years, year_rows):
    real = {int(r["size"]): int(r["count"]) for r in table("use_of_force_structure.csv")
            if r["measure"] == "rows_per_incident"}  # fmt: skip
    real_mean = sum(size * count for size, count in real.items()) / sum(real.values())
    generated = Counter(number for number, _ in versions(year_rows))
    rows_per_version = years.rows / sum(generated.values())
    assert abs(rows_per_version / real_mean - 1) < 0.1


def test_service_types_match_the_real_export(real_data, year_rows):
    real = real_export(real_data)
    real = real[~real["service_type"].str.contains(" | ", regex=False)]
    generated = Counter(group[0]["service_type"] for group in versions(latest(year_rows)).values())
    assert distance(generated, Counter(real["service_type"])) < TOLERANCE


def test_force_types_match_the_real_export(real_data, year_rows):
    generated = Counter(
        canonical("use_of_force_type", row["use_of_force_type"])
        for row in generated_forces(year_rows)
    )
    real = real_entries(real_export(real_data), "use_of_force_type")
    assert distance(generated, real) < TOLERANCE


def test_force_levels_match_the_real_export(real_data, year_rows):
    generated = Counter(row["use_of_force_level"] for row in generated_forces(year_rows))
    real = real_entries(real_export(real_data), "use_of_force_level")
    assert distance(generated, real) < TOLERANCE
