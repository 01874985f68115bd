"""The old layout: an incident's rows cross its officers' force types with its subjects."""

from __future__ import annotations

from collections import defaultdict

from tests.generator_use_of_force.conftest import latest, versions
from tooling.generator.use_of_force import (
    FORCE_COLUMNS,
    INCIDENT_COLUMNS,
    OFFICER_COLUMNS,
    SUBJECT_COLUMNS,
)


def values_by(rows, key_columns, columns):
    """Distinct values of ``columns`` per key of each incident version."""
    seen = defaultdict(set)
    for (number, stamp), group in versions(rows).items():
        for row in group:
            key = (number, stamp, *(row[column] for column in key_columns))
            seen[key].add(tuple(row[column] for column in columns))
    return seen


def incident_values(row):
    return tuple(row[column] for column in INCIDENT_COLUMNS)


def test_incident_columns_agree_except_in_the_injected_inconsistent_incidents(busy, busy_rows):
    disagreeing = set()
    for (number, _), group in versions(busy_rows).items():
        first = incident_values(group[0])
        odd = {row["officer_badge_number"] for row in group if incident_values(row) != first}
        if odd:
            disagreeing.add(number)
            assert len(odd) == 1, f"{number}: more than one officer's rows disagree"
    assert len(disagreeing) == busy.inconsistent_incidents > 0


def test_officer_columns_are_constant_per_officer(busy_rows):
    seen = values_by(busy_rows, ["officer_badge_number"], [*OFFICER_COLUMNS, "officer_name"])
    assert all(len(values) == 1 for values in seen.values())


def test_force_columns_are_constant_per_officer_and_force_type(busy_rows):
    seen = values_by(busy_rows, ["officer_badge_number", "use_of_force_type"], FORCE_COLUMNS)
    assert all(len(values) == 1 for values in seen.values())


def test_subject_columns_are_constant_per_subject(busy_rows):
    seen = values_by(busy_rows, ["subject_name"], [*SUBJECT_COLUMNS, "subject_date_of_birth"])
    assert all(len(values) == 1 for values in seen.values())


def test_rows_are_every_force_type_of_every_officer_times_every_subject(busy_rows):
    for group in versions(busy_rows).values():
        distinct = {tuple(row.values()) for row in group}
        forces = {(row["officer_badge_number"], row["use_of_force_type"]) for row in group}
        subjects = {row["subject_name"] for row in group}
        assert len(distinct) == len(forces) * len(subjects)


def test_some_incidents_have_several_officers_subjects_and_force_types(busy_rows):
    final = versions(latest(busy_rows)).values()
    officers = [len({row["officer_badge_number"] for row in group}) for group in final]
    subjects = [len({row["subject_name"] for row in group}) for group in final]
    assert max(officers) >= 4 and max(subjects) >= 3
    assert 0.4 < sum(n > 1 for n in officers) / len(officers) < 0.6


def test_some_incidents_have_no_subject(busy_rows):
    final = versions(latest(busy_rows)).values()
    empty = [group for group in final if not any(row["subject_name"] for row in group)]
    assert empty
    assert all(not row[column] for group in empty for row in group for column in SUBJECT_COLUMNS)
