"""Which days of a run's window get a review packet."""

from __future__ import annotations

from datetime import date, timedelta

from orchestration.defs.review import PACKET_DAYS, packet_days
from orchestration.partitions import DayWindow

DAY = date(2026, 11, 2)


def test_a_daily_run_writes_the_packet_of_its_day():
    assert packet_days(DayWindow.for_day(DAY)) == [DAY]


def test_a_backfill_over_years_writes_packets_for_its_last_days_only():
    window = DayWindow(date(2011, 1, 1), DAY + timedelta(days=1))
    days = packet_days(window)
    assert len(days) == PACKET_DAYS
    assert days[-1] == DAY and days == window.days[-PACKET_DAYS:]
