"""Cutting a load's window into slices of at most a page of counted rows."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

from orchestration.ingest.slices import slice_window
from orchestration.partitions import DayWindow

START = date(2024, 1, 1)
WINDOW = DayWindow(START, START + timedelta(days=10))


def day(offset: int) -> date:
    return START + timedelta(days=offset)


def test_slices_cover_the_window_without_gaps_or_overlap():
    slices = slice_window({day(n): 40 for n in range(10)}, WINDOW, page_rows=100)
    assert slices[0].window.start == WINDOW.start and slices[-1].window.end == WINDOW.end
    for before, after in itertools.pairwise(slices):
        assert before.window.end == after.window.start


def test_each_slice_holds_at_most_a_page_of_counted_rows():
    slices = slice_window({day(n): 40 for n in range(10)}, WINDOW, page_rows=100)
    assert [piece.expected_rows for piece in slices] == [80, 80, 80, 80, 80]


def test_a_day_larger_than_a_page_is_a_slice_of_its_own():
    slices = slice_window({day(0): 10, day(1): 500, day(2): 10}, WINDOW, page_rows=100)
    assert [piece.expected_rows for piece in slices] == [10, 500, 10]


def test_an_empty_window_is_one_slice():
    assert len(slice_window({}, WINDOW, page_rows=100)) == 1
