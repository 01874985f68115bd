"""The rule tables cover every code the source can send."""

from __future__ import annotations

import csv
from pathlib import Path

from tooling.generator.reference import load_reference

SEEDS = Path(__file__).resolve().parents[2] / "dbt_project" / "seeds"


def seed(name: str) -> list[dict[str, str]]:
    with (SEEDS / f"{name}.csv").open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def juvenile_codes() -> set[str]:
    return {
        call_type.code
        for weighted in load_reference().juvenile_types.values()
        for call_type in weighted.values
    }


def test_every_generated_call_type_has_one_canonical_text():
    canonical = {row["type_code"] for row in seed("call_types")}
    reference = load_reference()
    emitted = {code for _, code in reference.types} | {
        t.code for t in reference.test_types.values()
    }
    emitted |= juvenile_codes()
    assert emitted <= canonical, sorted(emitted - canonical)


def test_every_generated_disposition_has_a_canonical_text():
    canonical = {row["disposition_code"] for row in seed("dispositions")}
    assert set(load_reference().disposition_texts) <= canonical


def test_every_juvenile_type_the_source_uses_is_in_the_juvenile_seed():
    listed = {row["type_code"] for row in seed("juvenile_call_types")}
    assert juvenile_codes() <= listed
