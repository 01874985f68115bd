"""Published response times equal an independent computation from the published calls."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from orchestration.catalog import CALLS_FOR_SERVICE, POLICE_RESPONSE_TIMES

pytestmark = pytest.mark.integration

INTERVALS = {
    "dispatch_delay": ("timecreate", "timedispatch"),
    "travel_time": ("timedispatch", "timearrive"),
    "time_on_scene": ("timearrive", "timeclosed"),
}
GROUP = ["call_date", "policedistrict", "priority", "selfinitiated"]
EXCLUSIONS = (
    Path(__file__).resolve().parents[2] / "dbt_project" / "seeds" / "response_time_exclusions.csv"
)


def excluded_codes(field: str) -> set[str]:
    with EXCLUSIONS.open(newline="", encoding="utf-8") as handle:
        return {row["code"] for row in csv.DictReader(handle) if row["field"] == field}


def timed(calls: pd.DataFrame) -> pd.DataFrame:
    """The calls a response time counts: not void, duplicate or test (by disposition or type)."""
    void_or_test = calls["disposition"].isin(excluded_codes("disposition")) | calls["type_"].isin(
        excluded_codes("type")
    )
    return calls[~void_or_test]


def expected_response_times(calls: pd.DataFrame) -> pd.DataFrame:
    """The figures computed from the calls with pandas, knowing nothing of the SQL."""
    calls = calls.copy()
    for column in {c for pair in INTERVALS.values() for c in pair}:
        calls[column] = pd.to_datetime(calls.get(column), format="%Y-%m-%dT%H:%M:%S.%f")
    calls["call_date"] = calls["timecreate"].dt.strftime("%Y-%m-%d")
    rows = []
    for key, group in calls.groupby(GROUP):
        row = dict(zip(GROUP, key, strict=True), calls=len(group))
        for name, (start, end) in INTERVALS.items():
            seconds = (group[end] - group[start]).dt.total_seconds()
            present = group[start].notna() & group[end].notna()
            in_order = seconds[present & (seconds >= 0)]
            row[f"{name}_calls"] = len(in_order)
            row[f"{name}_missing"] = int((~present).sum())
            row[f"{name}_out_of_order"] = int((present & (seconds < 0)).sum())
            row[f"{name}_median_s"] = in_order.median() if len(in_order) else None
            row[f"{name}_p90_s"] = in_order.quantile(0.9) if len(in_order) else None
        rows.append(row)
    return pd.DataFrame(rows).set_index(GROUP).sort_index()


def test_response_times_equal_an_independent_computation_from_the_published_calls(platform):
    assert platform.run_daily_job().success
    calls = pd.DataFrame(platform.published_rows(CALLS_FOR_SERVICE.published.public_dataset_id))
    published = pd.DataFrame(platform.published_rows(POLICE_RESPONSE_TIMES.public_dataset_id))
    published["call_date"] = published["call_date"].str[:10]
    published = published.set_index(GROUP).sort_index()

    left_out = len(calls) - len(timed(calls))
    print(f"{len(calls)} published calls, {left_out} void, duplicate or test")
    assert left_out > 0, "the sample must hold void, duplicate or test calls to leave out"
    expected = expected_response_times(timed(calls))
    assert list(published.index) == list(expected.index)
    for column in expected.columns:
        got = pd.to_numeric(published[column])
        want = pd.to_numeric(expected[column])
        if column.endswith("_s"):
            assert np.isclose(got, want, atol=0.051, equal_nan=True).all(), column
        else:
            assert (got == want).all(), column
    assert set(published.reset_index()["selfinitiated"]) == {"Y", "N"}
