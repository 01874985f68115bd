"""The day's table and the 90-day volume chart a publish records for the UI."""

from __future__ import annotations

import base64
from datetime import timedelta

from orchestration.partitions import DayWindow
from orchestration.publishing.day_summary import (
    PLOT_DAYS,
    daily_counts,
    day_table,
    volume_markdown,
    volume_svg,
)
from tests.publishing.conftest import DATASET, DAY, mart_row


def test_the_day_table_counts_public_rows_by_district_and_priority(mart):
    mart.write(
        [mart_row(1, policedistrict="1", priority="2A"), mart_row(2, policedistrict="1"),
         mart_row(3, policedistrict="7"), mart_row(4, day=DAY - timedelta(days=1))]
    )  # fmt: skip
    with mart.connect() as connection:
        table = day_table(connection, DATASET, DayWindow.for_day(DAY))
    lines = table.splitlines()
    assert lines[0] == "| policedistrict \\\\ priority | 1J | 2A | total |"
    assert lines[2:] == ["| 1 | 1 | 1 | 2 |", "| 7 | 1 | 0 | 1 |", "| total | 2 | 1 | 3 |"]


def test_ninety_days_of_counts_keep_the_empty_days(mart):
    mart.write([mart_row(1), mart_row(2), mart_row(3, day=DAY - timedelta(days=10))])
    with mart.connect() as connection:
        counts = daily_counts(connection, DATASET, DAY)
    assert len(counts) == PLOT_DAYS
    assert counts[-1] == (DAY, 2)
    assert counts[-11] == (DAY - timedelta(days=10), 1)
    assert sum(n for _, n in counts) == 3


def test_the_chart_is_an_svg_image_embedded_in_markdown():
    svg = volume_svg([(DAY, 5), (DAY + timedelta(days=1), 10)], "Calls for Service")
    assert svg.count("<rect") == 2
    markdown = volume_markdown(svg)
    encoded = markdown.split("base64,", 1)[1].rstrip(")")
    assert base64.b64decode(encoded).decode() == svg
