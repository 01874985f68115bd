"""Candidate misspellings: a code's source text against the seed's canonical texts, on the
city's own rows when ../shared/data is present and on hand-made texts otherwise."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from orchestration.review.misspellings import ReportedText, candidate_misspellings
from tests.conftest import SHARED_DATA

REPO_ROOT = Path(__file__).resolve().parents[2]
CITY_2011 = Path("calls_for_service") / "cfs_2011_first_rows__ptiwald_noheader.csv"
CITY_2022 = Path("calls_for_service") / "cfs_2022_cfs_columns_only__derived_from_eos.csv"


def seed(name: str) -> dict[str, str]:
    with (REPO_ROOT / "dbt_project" / "seeds" / f"{name}.csv").open(newline="") as file:
        rows = list(csv.reader(file))[1:]
    return {code: text for code, text in rows}


CALL_TYPES = seed("call_types")


def flagged(reported: list[ReportedText], canonical=CALL_TYPES) -> dict[tuple[str, str], object]:
    return {(c.code, c.source_text): c for c in candidate_misspellings(reported, canonical)}


@pytest.fixture(scope="module")
def city_type_texts() -> list[ReportedText]:
    """Every (type, text) pair of the city's 2011 and 2022 rows, with its count; skips
    without ../shared/data."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"real city data not present at {SHARED_DATA} (it is never committed)")
    counts: dict[tuple[str, str, str], int] = {}
    with (SHARED_DATA / CITY_2011).open(newline="") as file:
        for row in csv.reader(file):  # no header: nopd_item, type, typetext, ...
            key = ("type", row[1], row[2])
            counts[key] = counts.get(key, 0) + 1
    with (SHARED_DATA / CITY_2022).open(newline="") as file:
        for row in csv.DictReader(file):
            for field, code, text in (
                ("type", "Type", "TypeText"),
                ("initialtype", "InitialType", "InitialTypeText"),
            ):
                key = (field, row[code], row[text])
                counts[key] = counts.get(key, 0) + 1
    return [ReportedText(field, code, text, n) for (field, code, text), n in counts.items()]


def test_the_citys_variant_type_texts_are_candidates_beside_their_canonical_text(
    city_type_texts,
):
    found = flagged(city_type_texts)
    expected = {
        ("94", "DISCHARGING FIREARMS"): "DISCHARGING FIREARM",
        ("62A", "BURGLAR ALARM, SILEN"): "BURGLAR ALARM, SILENT",
        ("17M", "MUNICIPAL  ATTTACHME"): "MUNICIPAL ATTACHMENT",
    }
    for key, canonical in expected.items():
        assert key in found, key
        assert found[key].canonical_text == canonical
        assert 90 <= found[key].score < 100


def test_the_citys_canonical_texts_are_no_candidates(city_type_texts):
    found = flagged(city_type_texts)
    assert ("94", "DISCHARGING FIREARM") not in found
    assert ("21", "COMPLAINT OTHER") not in found


def test_a_misspelling_the_seed_itself_carries_is_no_candidate(city_type_texts):
    """`ABUSE/NEGLIECT` is the city's text and the seed's: the packet compares with the
    seed, it does not spell-check it."""
    assert any(r.text == "ABUSE/NEGLIECT" for r in city_type_texts)
    assert ("ABUSE", "ABUSE/NEGLIECT") not in flagged(city_type_texts)


def test_published_misspellings_score_close_to_their_codes_text():
    found = flagged(
        [
            ReportedText("type", "99", "WRECKLESS DRIVING", 3),
            ReportedText("type", "62B", "BUSINESS BUGLARY", 1),
        ]
    )
    assert found[("99", "WRECKLESS DRIVING")].canonical_text == "RECKLESS DRIVING"
    assert found[("62B", "BUSINESS BUGLARY")].canonical_text == "BUSINESS BURGLARY"
    assert all(90 < candidate.score < 100 for candidate in found.values())


def test_case_and_spacing_alone_make_no_candidate():
    reported = [
        ReportedText("disposition", "NAT", "NECESSARY  ACTION TAKEN", 5),
        ReportedText("disposition", "nat", "necessary action taken", 1),
    ]
    assert flagged(reported, {"NAT": "Necessary Action Taken"}) == {}


def test_a_text_closer_to_another_codes_text_names_that_code():
    found = flagged([ReportedText("type", "99", "RECKLESS DRIVING COMPLAINT", 2)])
    candidate = found[("99", "RECKLESS DRIVING COMPLAINT")]
    assert candidate.closest_code == "TRAFRK"
    assert candidate.closest_score == 100
    assert candidate.score < candidate.closest_score


def test_a_text_of_a_code_no_seed_lists_is_compared_with_every_code():
    found = flagged([ReportedText("type", "99X", "DISCHARGING FIREARMS", 1)])
    candidate = found[("99X", "DISCHARGING FIREARMS")]
    assert candidate.canonical_text is None and candidate.score is None
    assert candidate.closest_code == "94"


def test_a_text_far_from_every_other_code_names_none():
    found = flagged([ReportedText("type", "24", "AMBULANCE REQUEST", 1)])
    assert found[("24", "AMBULANCE REQUEST")].closest_code is None
