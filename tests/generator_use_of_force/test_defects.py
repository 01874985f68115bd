"""The faults the pipeline must handle: present in sixty days, counted, at their rates."""

from __future__ import annotations

from collections import defaultdict

from tests.generator_use_of_force.conftest import corrections, versions

COUNTED = (
    "exact_duplicates", "resent_incidents", "malformed_ids", "missing_dates",
    "juvenile_subjects", "misspelled_values", "inconsistent_incidents",
)  # fmt: skip


def counts_from_rows(rows):
    """Each summary count, recomputed from the written rows alone."""
    numbers = {row["pib_file_number"] for row in rows}
    stamps = defaultdict(set)
    for row in rows:
        stamps[row["pib_file_number"]].add(row[":updated_at"])
    subjects = {
        (row["pib_file_number"], row["subject_name"]): row["subject_age"]
        for row in rows
        if row["subject_name"]
    }
    variants = corrections()
    return {
        "rows": len(rows),
        "incidents": len(numbers),
        "exact_duplicates": len(rows) - len({tuple(row.values()) for row in rows}),
        "resent_incidents": sum(len(s) == 2 for s in stamps.values()),
        "malformed_ids": sum(not number.startswith("FTN") for number in numbers),
        "missing_dates": len({row["pib_file_number"] for row in rows if not row["date_occurred"]}),
        "juvenile_subjects": sum(age != "" and int(age) < 18 for age in subjects.values()),
        "misspelled_values": sum(
            (column, value) in variants for row in rows for column, value in row.items()
        ),
    }


def test_every_fault_is_present_in_sixty_busy_days(busy):
    assert all(getattr(busy, name) > 0 for name in COUNTED), busy


def test_summary_counts_match_the_written_rows(busy, busy_rows):
    for name, value in counts_from_rows(busy_rows).items():
        assert getattr(busy, name) == value, name


def test_sixty_days_at_scale_one_hold_the_common_faults(sixty_days):
    assert sixty_days.exact_duplicates > 0
    assert sixty_days.juvenile_subjects > 0
    assert sixty_days.misspelled_values > 0


def test_resent_incidents_go_from_initial_pending_to_a_decided_version(busy_rows):
    by_number = defaultdict(list)
    for (number, stamp), group in versions(busy_rows).items():
        by_number[number].append((stamp, group))
    resent = [sorted(found) for found in by_number.values() if len(found) == 2]
    assert resent
    for (_, earlier), (_, final) in resent:
        assert {(r["investigation_status"], r["disposition"]) for r in earlier} == {
            ("Initial", "Pending")
        }
        assert {r["investigation_status"] for r in final} == {"Completed"}
        assert "Pending" not in {r["disposition"] for r in final}
        drop = ("investigation_status", "disposition", ":updated_at")
        assert [{k: v for k, v in r.items() if k not in drop} for r in earlier] == [
            {k: v for k, v in r.items() if k not in drop} for r in final
        ]


def test_fault_rates_are_near_their_targets(years):
    assert 0.03 < years.exact_duplicates / years.rows < 0.08
    assert 0.02 < years.resent_incidents / years.incidents < 0.04
    assert 0.002 < years.malformed_ids / years.incidents < 0.01
    assert 0.0005 < years.missing_dates / years.incidents < 0.004
    assert 0 < years.inconsistent_incidents / years.incidents < 0.01


def test_juveniles_are_about_a_tenth_of_subjects_and_some_are_twelve_or_thirteen(year_rows):
    ages = {
        (row["pib_file_number"], row["subject_name"]): int(row["subject_age"])
        for row in year_rows
        if row["subject_age"]
    }
    juvenile = [age for age in ages.values() if age < 18]
    assert 0.08 < len(juvenile) / len(ages) < 0.14
    assert {12, 13} & set(juvenile)
