"""The private columns the pipeline must drop are filled in, and repeated in the narrative."""

from __future__ import annotations

import re


def test_officer_identity_address_and_narrative_are_on_every_row(sixty_day_rows):
    for row in sixty_day_rows:
        assert re.fullmatch(r"Ofc\. \w+ \w+", row["officer_name"])
        assert re.fullmatch(r"\d{4,5}", row["officer_badge_number"])
        assert re.fullmatch(r"\d+ .+", row["incident_address"])
        assert row["narrative"]


def test_subjects_have_a_name_and_a_birth_date_when_their_age_is_known(sixty_day_rows):
    described = [row for row in sixty_day_rows if row["subject_gender"] or row["subject_age"]]
    assert described
    for row in described:
        assert re.fullmatch(r"\w+ \w+", row["subject_name"])
        assert bool(row["subject_date_of_birth"]) == bool(row["subject_age"])


def test_narratives_name_the_officer_and_the_address(sixty_day_rows):
    named = 0
    for row in sixty_day_rows:
        assert row["incident_address"] in row["narrative"]
        named += row["subject_name"] != "" and row["subject_name"] in row["narrative"]
    names = {row["officer_name"] for row in sixty_day_rows}
    assert all(any(name in row["narrative"] for name in names) for row in sixty_day_rows)
    assert named > 0
