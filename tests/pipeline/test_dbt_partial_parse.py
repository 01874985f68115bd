"""dbt reuses its parse of the project from one run on a warehouse to the next."""

from __future__ import annotations

from datetime import timedelta

import dagster as dg
import pytest

from orchestration.transform.partial_parse import saved_parse_path
from tests.pipeline.conftest import DAY

pytestmark = pytest.mark.integration  # builds warehouses with dbt: not in make test-fast

REPARSE = "Unable to do partial parsing"


# One model is enough to make dbt load (or parse) the whole project, as every run does.
ONE_MODEL = [dg.AssetKey("stg_service_requests_311")]


def run_output(platform, capfd, day=DAY) -> str:
    """What dbt printed in a daily run of one model (dbt parses the project all the same)."""
    capfd.readouterr()
    assert platform.run_daily_job(day, assets=ONE_MODEL).success
    captured = capfd.readouterr()
    return captured.out + captured.err


@pytest.fixture(scope="module")
def first_run(platform):
    assert platform.run_daily_job(DAY).success


def test_a_run_keeps_its_parse_beside_the_warehouse(platform, first_run):
    assert saved_parse_path(platform.warehouse).is_file()


def test_the_next_run_parses_nothing_again_though_its_window_differs(platform, first_run, capfd):
    output = run_output(platform, capfd, DAY - timedelta(days=1))
    assert "dbt build" in output  # dbt's own lines are in what was captured
    assert REPARSE not in output


def test_a_changed_privacy_parameter_is_parsed_again(platform, first_run, capfd, monkeypatch):
    from orchestration import catalog

    # A parameter that publishes nothing the rules forbid: the repeat window of 311.
    vars_now = catalog.privacy_vars()
    changed = {
        **vars_now,
        "service_requests_311": {**vars_now["service_requests_311"], "repeat_window_days": 8},
    }
    monkeypatch.setattr("orchestration.defs.transform.privacy_vars", lambda sources: changed)
    assert REPARSE in run_output(platform, capfd)
