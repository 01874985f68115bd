"""A measured run's wall time is split by kind of step, so a missed target names its bound."""

from __future__ import annotations

from pathlib import Path

import pytest

from tooling.benchmark.run_breakdown import breakdown, dbt_build_seconds

STEPS = {
    "raw_calls_for_service": 3.0,
    "raw_use_of_force": 1.0,
    "dbt_rules": 4.0,
    "dbt_calls_for_service": 36.0,
    "calls_for_service_contract": 4.0,
    "use_of_force_contract": 1.0,
    "review__calls_for_service": 2.0,
    "socrata__calls_for_service": 5.0,
    "socrata__calls_for_service_newest_day_is_fresh": 0.5,
    "socrata__calls_for_service_no_missing_days": 0.5,
}


@pytest.fixture
def run_log(tmp_path: Path) -> Path:
    log = tmp_path / "run.out"
    log.write_text(
        "Running with dbt=1.11.16\n"
        "Finished running 7 incremental models, 8 seeds in 0 hours 0 minutes and "
        "16.23 seconds (16.23s).\n",
        encoding="utf-8",
    )
    return log


def test_steps_are_summed_by_their_kind(run_log):
    split = breakdown(60.0, STEPS, run_log)
    assert (split.ingest_s, split.dbt_step_s) == (4.0, 40.0)
    assert (split.contracts_s, split.publish_s) == (5.0, 5.0)


def test_review_packets_are_counted_apart_from_the_publishes(run_log):
    split = breakdown(60.0, STEPS, run_log)
    assert (split.review_s, split.publish_s) == (2.0, 5.0)


def test_the_dbt_step_is_split_into_dbts_own_build_and_what_came_beyond_it(run_log):
    split = breakdown(60.0, STEPS, run_log)
    assert split.dbt_build_s == 16.23
    assert split.dbt_beyond_build_s == pytest.approx(40.0 - 16.23)


def test_what_no_step_accounts_for_is_the_rest(run_log):
    assert breakdown(60.0, STEPS, run_log).rest_s == pytest.approx(60.0 - 56.0)


def test_a_log_without_a_dbt_build_reads_zero(tmp_path):
    assert dbt_build_seconds(tmp_path / "missing.out") == 0.0


def test_the_builds_of_every_dbt_step_are_added_up(tmp_path):
    log = tmp_path / "run.out"
    log.write_text(
        "Finished running 9 seeds in 0 hours 0 minutes and 1.50 seconds (1.50s).\n"
        "Finished running 7 incremental models in 0 hours 0 minutes and 6.25 seconds (6.25s).\n",
        encoding="utf-8",
    )
    assert dbt_build_seconds(log) == 7.75
