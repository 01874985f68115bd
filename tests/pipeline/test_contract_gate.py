"""A mart that fails its contract is not published."""

from __future__ import annotations

import pytest

from orchestration.catalog import (
    CALLS_FOR_SERVICE,
    POLICE_RESPONSE_TIMES,
    PUBLISHED_DATASETS,
    SERVICE_REQUESTS_311,
    USE_OF_FORCE,
)
from orchestration.defs.quality import build_contract_check
from orchestration.quality.soda import contract_path

pytestmark = pytest.mark.integration


def test_a_failing_contract_stops_the_publish_step(platform, tmp_path):
    failing = tmp_path / "calls_for_service.yml"
    failing.write_text(
        contract_path("calls_for_service").read_text()
        + "  - row_count:\n      name: deliberately impossible\n      threshold:\n"
        "        must_be: 0\n"
    )
    result = platform.run_daily_job(
        asset_checks=[build_contract_check(CALLS_FOR_SERVICE.published, failing)]
    )
    assert not result.success
    evaluations = {e.check_name: e for e in result.get_asset_check_evaluations()}
    assert not evaluations["row_count"].passed
    assert evaluations["nopd_item_duplicate"].passed
    assert evaluations["schema"].passed
    assert platform.published_rows(CALLS_FOR_SERVICE.published.public_dataset_id) == []


@pytest.fixture
def calls_contract_failing(platform, tmp_path):
    """A day run whose calls contract fails: every other mart keeps its own contract."""
    failing = tmp_path / "calls_for_service.yml"
    failing.write_text(
        contract_path("calls_for_service").read_text()
        + "  - row_count:\n      name: deliberately impossible\n      threshold:\n"
        "        must_be: 0\n"
    )
    checks = [
        build_contract_check(dataset, failing if dataset == CALLS_FOR_SERVICE.published else None)
        for dataset in PUBLISHED_DATASETS
    ]
    result = platform.run_daily_job(asset_checks=checks)
    return {event.asset_key for event in result.get_asset_materialization_events()}


def test_a_failing_contract_stops_no_other_source_from_publishing(calls_contract_failing):
    assert {USE_OF_FORCE.published.published_asset_key} <= calls_contract_failing
    assert {SERVICE_REQUESTS_311.published.published_asset_key} <= calls_contract_failing


def test_response_times_are_not_published_for_a_day_whose_calls_were_withheld(
    calls_contract_failing, platform
):
    assert POLICE_RESPONSE_TIMES.published_asset_key not in calls_contract_failing
    assert platform.published_rows(POLICE_RESPONSE_TIMES.public_dataset_id) == []
