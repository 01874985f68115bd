"""NOPD_Item: month letter, 5-digit monthly sequence, 2-digit year; one call, one number."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest

from tooling.generator import generate_calls


def _numbers(day: date) -> list[str]:
    return sorted(row["nopd_item"] for row in generate_calls(day, day) if row["nopd_item"])


def test_item_numbers_continue_across_separately_generated_days():
    last_of_29th = int(_numbers(date(2026, 1, 29))[-1][1:6])
    first_of_30th = int(_numbers(date(2026, 1, 30))[0][1:6])
    assert 1 <= first_of_30th - last_of_29th <= 3  # consecutive but for an emptied item number


def test_item_numbers_restart_each_month_with_its_letter():
    numbers = _numbers(date(2026, 2, 1))
    assert numbers[0] in {"B0000126", "B0000226", "B0000326"}
    assert all(number[0] == "B" and number.endswith("26") for number in numbers)


def test_one_call_per_item_number_except_injected_duplicates(week_rows, week_export):
    per_item = Counter(row["nopd_item"] for row in week_rows if row["nopd_item"])
    repeated = {item: n for item, n in per_item.items() if n > 1}
    assert set(repeated.values()) == {2}
    assert len(repeated) == week_export.exact_duplicates + week_export.resent
    assert len(per_item) + week_export.missing_id == week_export.calls


def test_a_scale_beyond_the_five_digit_monthly_sequence_is_refused():
    with pytest.raises(ValueError, match="5-digit monthly sequence"):
        list(generate_calls(date(2026, 1, 31), date(2026, 1, 31), scale=4.0))
