"""A mart that fails its contract is not published."""

from __future__ import annotations

import pytest

from orchestration.catalog import CALLS_FOR_SERVICE, PUBLISHED_DATASETS
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


def test_a_failing_contract_stops_no_other_mart_from_publishing(platform, tmp_path):
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
    published = {event.asset_key for event in result.get_asset_materialization_events()} & {
        dataset.published_asset_key for dataset in PUBLISHED_DATASETS
    }
    assert published == {
        dataset.published_asset_key
        for dataset in PUBLISHED_DATASETS
        if dataset != CALLS_FOR_SERVICE.published
    }
