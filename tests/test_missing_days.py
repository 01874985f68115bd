"""No published day is missing between a dataset's first and its newest published day."""

from __future__ import annotations

from datetime import date

import dagster as dg
import pytest

from orchestration.catalog import CALLS_FOR_SERVICE, PUBLISHED_DATASETS
from orchestration.quality.missing_days import describe_missing, missing_days

PUBLISHED = CALLS_FOR_SERVICE.published.published_asset_key


def test_a_day_between_two_published_days_is_missing():
    assert missing_days(["2026-11-01", "2026-11-03"]) == [date(2026, 11, 2)]


def test_consecutive_days_miss_none():
    assert missing_days(["2026-11-02", "2026-11-01", "2026-11-03"]) == []


def test_days_before_the_first_or_after_the_newest_are_not_missing():
    """Before the first is not yet history; after the newest is the freshness check's."""
    assert missing_days(["2026-11-05"]) == []
    assert missing_days([]) == []


def test_the_description_names_the_first_missing_days_and_counts_the_rest():
    missing = missing_days(["2026-10-01", "2026-10-31"])
    assert describe_missing(missing, shown=2) == (
        "29 days missing: 2026-10-02, 2026-10-03 and 27 more"
    )


@pytest.fixture(scope="module")
def evaluations():
    """The freshness job run on an instance where days 1 and 3 of calls for service were
    published and day 2 was not (as when day 2's publish was blocked)."""
    from orchestration.definitions import defs

    with dg.instance_for_test() as instance:
        for day in ("2026-11-01", "2026-11-03"):
            instance.report_runless_asset_event(dg.AssetMaterialization(PUBLISHED, partition=day))
        result = defs.resolve_job_def("freshness_checks").execute_in_process(
            instance=instance, raise_on_error=False
        )
        yield {
            (evaluation.asset_key, evaluation.check_name): evaluation
            for evaluation in result.get_asset_check_evaluations()
        }


def test_a_missing_day_fails_the_missing_day_check_naming_it(evaluations):
    evaluation = evaluations[(PUBLISHED, "no_missing_days")]
    assert not evaluation.passed
    assert evaluation.severity == dg.AssetCheckSeverity.ERROR
    assert evaluation.description == "1 day missing: 2026-11-02"
    assert evaluation.metadata["missing_days"].value == 1
    assert evaluation.metadata["first_missing_days"].value == ["2026-11-02"]


def test_a_dataset_without_a_gap_passes_the_missing_day_check(evaluations):
    other = PUBLISHED_DATASETS[1].published_asset_key
    assert evaluations[(other, "no_missing_days")].passed


def test_every_published_dataset_has_a_missing_day_check_in_the_freshness_and_daily_jobs():
    from orchestration.definitions import defs

    expected = {
        dg.AssetCheckKey(dataset.published_asset_key, "no_missing_days")
        for dataset in PUBLISHED_DATASETS
    }
    assert any(dataset.name == "police_response_times" for dataset in PUBLISHED_DATASETS)
    for job in ("freshness_checks", "daily_publish"):
        selected = defs.resolve_job_def(job).asset_layer.asset_graph.asset_check_keys
        assert expected <= set(selected), job
