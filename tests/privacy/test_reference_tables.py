"""The rule tables against the texts that occur: issue 16's and the city's own, every year.

The juvenile patterns and the sensitive-location list are matched here with DuckDB, as the
models match them. Which texts name a child or a sensitive call is said by this file's own
word lists (`JUVENILE_WORDS`, `SENSITIVE_WORDS`), written apart from the seeds, so a seed
that misses a real text fails here rather than publishing it.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import duckdb
import pytest

SEEDS = Path(__file__).resolve().parents[2] / "dbt_project" / "seeds"
CALLS = Path("calls_for_service")

JUVENILE_WORDS = re.compile(
    r"JUVENILE|\bJUV\b|RUNAWAY|TRUAN|CHILD|MINOR|TEEN|CURFEW|YOUTH|INFANT|YOA\b|ABUSE/NEGL"
)
# The city's documented list (Aggravated Rape, Crime Against Nature, Mental Patient, Oral
# Sexual Battery, Prostitution, Sexual Battery, Simple Rape, Soliciting for Prost.) and what
# the new CAD calls the same offences.
SENSITIVE_WORDS = re.compile(r"RAPE|SEXUAL|SEX OFFENSE|CRIME AGAINST NATURE|MENTAL|PROSTITU")


def _seed(name: str) -> list[dict[str, str]]:
    with (SEEDS / f"{name}.csv").open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _matches(texts: list[str], patterns: list[str]) -> set[str]:
    """The texts DuckDB's regexp_matches finds any of `patterns` in (upper case)."""
    with duckdb.connect() as connection:
        rows = connection.execute(
            "select distinct text from unnest(?) as t(text), unnest(?) as p(pattern) "
            "where regexp_matches(upper(text), pattern)",
            [texts, patterns],
        ).fetchall()
    return {text for (text,) in rows}


def is_juvenile(texts: list[str]) -> set[str]:
    listed = {row["type_text"].upper() for row in _seed("juvenile_call_types")}
    patterns = [row["pattern"] for row in _seed("juvenile_text_patterns")]
    return {text for text in texts if text.upper() in listed} | _matches(texts, patterns)


def is_sensitive(texts: list[str]) -> set[str]:
    return _matches(texts, [row["pattern"] for row in _seed("sensitive_location_call_types")])


@pytest.mark.parametrize(
    "text", ["CHILD ENDANGERMENT", "MISSING TEEN", "CURFEW VIOLATION", "Runaway juvenile"]
)
def test_the_new_juvenile_texts_of_the_issue_are_juvenile(text):
    assert is_juvenile([text]) == {text}


@pytest.mark.parametrize(
    "text",
    [
        "SEXUAL ASSAULT",
        "MISDEMEANOR SEXUAL BATTERY",
        "MENTAL PERSON: NON VIOLENT",
        "SEXUAL ASSAULT KIT PROCESSED BY HOSPITAL",
    ],
)
def test_the_new_cads_sensitive_texts_lose_their_coordinates(text):
    assert is_sensitive([text]) == {text}


def city_values(shared: Path, fields: set[str], noheader_column: int) -> dict[str, set[str]]:
    """The distinct values of `fields` (any case) in each of the city's calls files in
    ../shared/data; the 2011 file has no header, its `noheader_column` is read instead."""
    found: dict[str, set[str]] = {}
    for path in sorted((shared / CALLS).glob("*.csv")):
        with path.open(newline="", encoding="utf-8") as handle:
            if "noheader" in path.name:  # 2011: NOPD_Item, Type, TypeText, ...
                values = {row[noheader_column] for row in csv.reader(handle)}
            else:
                values = {
                    value
                    for row in csv.DictReader(handle)
                    for key, value in row.items()
                    if key and key.lower() in fields
                }
        found[path.name] = {" ".join(value.split()) for value in values if value and value.strip()}
    return found


def city_type_texts(shared: Path) -> dict[str, set[str]]:
    """Every final and initial type text of the city's rows, by file."""
    return city_values(shared, {"typetext", "initialtypetext"}, noheader_column=2)


def test_every_real_text_naming_a_child_is_juvenile_and_no_other_is(shared_data):
    for name, texts in city_type_texts(shared_data).items():
        expected = {text for text in texts if JUVENILE_WORDS.search(text.upper())}
        assert is_juvenile(sorted(texts)) == expected, name


def test_every_real_sexual_offence_or_mental_health_text_loses_its_coordinates(shared_data):
    for name, texts in city_type_texts(shared_data).items():
        expected = {text for text in texts if SENSITIVE_WORDS.search(text.upper())}
        missed = expected - is_sensitive(sorted(texts))
        assert not missed, f"{name}: {sorted(missed)}"


def test_the_city_files_hold_the_texts_the_rules_are_about(shared_data):
    """Not a rule: proof the files were read (the 2022 rows hold both kinds)."""
    texts = set().union(*city_type_texts(shared_data).values())
    assert {"MISSING JUVENILE", "SEXUAL ASSAULT", "MENTAL PERSON: NON VIOLENT"} <= texts
    assert len(texts) >= 150


def test_every_real_type_code_is_classified(shared_data):
    """The city's own codes of every year are in call_types, so its calls are not held."""
    classified = {row["type_code"].upper() for row in _seed("call_types")}
    codes = city_values(shared_data, {"type", "type_", "initialtype"}, noheader_column=1)
    unknown = {
        name: missing
        for name, found in codes.items()
        if (missing := {code.upper() for code in found} - classified)
    }
    assert unknown == {}
