"""A quarantine reason warns past 2 records and 1 % of a day, blocks past 10 records and 5 %."""

from __future__ import annotations

from datetime import date

from orchestration.quality.quarantine_rates import BLOCKS, OK, WARNS, ReasonDay

DAY = date(2026, 11, 2)


def verdict(records: int, day_records: int) -> str:
    return ReasonDay(DAY, "unknown disposition", records, day_records).verdict()


def test_two_odd_records_of_a_20_record_day_pass():
    assert verdict(2, 20) == OK


def test_three_records_of_one_reason_on_a_small_day_warn():
    assert verdict(3, 27) == WARNS


def test_a_handful_of_records_on_a_large_day_pass():
    assert verdict(9, 1_000) == OK


def test_past_one_percent_of_a_large_day_warns():
    assert verdict(11, 1_000) == WARNS


def test_past_five_percent_of_a_large_day_blocks():
    assert verdict(51, 1_000) == BLOCKS


def test_a_small_day_blocks_only_past_ten_records_whatever_its_share():
    assert verdict(10, 12) == WARNS
    assert verdict(11, 12) == BLOCKS


def test_the_rate_is_the_reasons_records_over_the_days():
    assert ReasonDay(DAY, "malformed zip", 5, 200).share == 0.025
