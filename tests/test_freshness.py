"""A public dataset is fresh while its newest day ended at most 36 hours ago; stale past 60."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import dagster as dg

from orchestration.defs.freshness import freshness

CITY = ZoneInfo("America/Chicago")
WARN, ERROR = dg.AssetCheckSeverity.WARN, dg.AssetCheckSeverity.ERROR


def test_yesterday_published_this_morning_is_fresh():
    passed, _, hours = freshness(date(2026, 11, 2), datetime(2026, 11, 3, 4, 0, tzinfo=CITY))
    assert passed
    assert hours == 4.0


def test_a_missed_night_warns():
    assert freshness(date(2026, 11, 2), datetime(2026, 11, 4, 14, 0, tzinfo=CITY))[:2] == (
        False,
        WARN,
    )


def test_past_sixty_hours_fails():
    assert freshness(date(2026, 11, 2), datetime(2026, 11, 5, 13, 0, tzinfo=CITY))[:2] == (
        False,
        ERROR,
    )


def test_the_age_counts_from_the_end_of_the_day_in_the_city_not_in_utc():
    utc_morning = datetime(2026, 11, 3, 9, 0, tzinfo=ZoneInfo("UTC"))  # 03:00 in New Orleans
    assert freshness(date(2026, 11, 2), utc_morning)[2] == 3.0


def test_a_dataset_never_published_fails():
    assert freshness(None, datetime(2026, 11, 3, tzinfo=CITY))[:2] == (False, ERROR)


def test_every_published_dataset_has_a_freshness_check_on_an_hourly_schedule():
    from orchestration.catalog import PUBLISHED_DATASETS
    from orchestration.definitions import defs

    repository = defs.get_repository_def()
    keys = repository.asset_graph.asset_check_keys
    for dataset in PUBLISHED_DATASETS:
        assert dg.AssetCheckKey(dataset.published_asset_key, "newest_day_is_fresh") in keys
    assert repository.get_schedule_def("freshness_checks_schedule").cron_schedule == "15 * * * *"
