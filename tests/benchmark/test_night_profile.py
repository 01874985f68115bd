"""The nightly figure names the steps and dbt nodes that cost more on the full history."""

from __future__ import annotations

import dagster as dg

from tooling.benchmark.night_profile import SHOWN, compare, most_grown, profile_rows
from tooling.benchmark.run_job import dbt_node_duration

FULL = {
    "step_seconds": {"dbt_calls_for_service": 9.0, "raw_calls_for_service": 1.0},
    "node_seconds": {
        "model.civic_data.calls_for_service": 4.0,
        "test.civic_data.unique_calls_for_service_nopd_item.0a1b2c": 3.5,
    },
}
MONTH = {
    "step_seconds": {"dbt_calls_for_service": 6.0, "raw_calls_for_service": 1.0},
    "node_seconds": {"model.civic_data.calls_for_service": 3.9},
}


def test_the_part_that_grew_most_with_the_history_comes_first():
    assert most_grown(FULL, MONTH).name == "test unique_calls_for_service_nopd_item.0a1b2c"
    assert [t.name for t in compare(FULL, MONTH)][:2] == [
        "test unique_calls_for_service_nopd_item.0a1b2c",
        "step dbt_calls_for_service",
    ]


def test_a_node_only_one_night_ran_is_compared_against_nothing():
    grown = {t.name: t for t in compare(FULL, MONTH)}
    assert grown["test unique_calls_for_service_nopd_item.0a1b2c"].month_s == 0.0


def test_the_table_prints_full_and_month_seconds_and_the_growth():
    rows = profile_rows(FULL, MONTH)
    model = next(r for r in rows if r.name.strip() == "model calls_for_service")
    assert model.value == 4.0
    assert model.unit == "3.90, +0.10"


def test_parts_beyond_the_shown_ones_are_summed_on_one_line():
    many = {"step_seconds": {f"step_{n:03}": 1.0 for n in range(SHOWN + 5)}}
    rows = profile_rows(many, {})
    assert rows[-1].name.strip() == "5 more"
    assert rows[-1].value == 5.0


def test_runs_without_timings_say_so():
    assert profile_rows({}, {})[0].value == "not recorded"


def test_a_dbt_models_duration_is_read_from_its_materialization():
    @dg.asset
    def calls_for_service():
        return dg.MaterializeResult(
            metadata={"unique_id": "model.civic_data.calls_for_service", "Execution Duration": 2.5}
        )

    result = dg.materialize([calls_for_service])
    durations = [dbt_node_duration(event) for event in result.all_events]
    assert ("model.civic_data.calls_for_service", 2.5) in durations
    assert (None, 0.0) in durations  # every other event
