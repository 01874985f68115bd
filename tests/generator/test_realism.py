"""Generated 2022 calls have the shares of the real 2022 rows (skips without ../shared/data)."""

from __future__ import annotations

import csv
from collections import Counter
from datetime import datetime

import pytest

from tooling.generator import generate_calls

REAL_ROWS = "calls_for_service/cfs_2022_cfs_columns_only__derived_from_eos.csv"
SAMPLED_DAYS = 30
TOLERANCE = 0.03  # absolute difference in share, for every value with at least 1% real share
COMPARED = {
    "Priority": "priority",
    "Disposition": "disposition",
    "PoliceDistrict": "policedistrict",
    "SelfInitiated": "selfinitiated",
    "Type": "type",
}


def _shares(values: list[str]) -> dict[str, float]:
    counts = Counter(values)
    return {value: count / len(values) for value, count in counts.items()}


@pytest.fixture(scope="module")
def real_and_generated(real_data) -> tuple[list[dict[str, str]], list[dict[str, str | None]]]:
    with (real_data / REAL_ROWS).open(encoding="utf-8", newline="") as f:
        real = list(csv.DictReader(f))
    # Days spread like the real rows, so both CAD eras weigh as much as in the sample.
    created = sorted(datetime.strptime(r["TimeCreate"], "%m/%d/%Y %H:%M").date() for r in real)
    days = sorted({created[i] for i in range(0, len(created), len(created) // SAMPLED_DAYS)})
    generated = [row for day in days for row in generate_calls(day, day)]
    return real, generated


@pytest.mark.parametrize("real_field", COMPARED)
def test_generated_shares_match_the_real_2022_rows(real_and_generated, real_field):
    real, generated = real_and_generated
    real_shares = _shares([row[real_field] for row in real])
    generated_shares = _shares([row[COMPARED[real_field]] or "" for row in generated])
    for value, share in real_shares.items():
        if share >= 0.01:
            assert generated_shares.get(value, 0) == pytest.approx(share, abs=TOLERANCE), value
