"""A mart that fails its contract is not published."""

from __future__ import annotations

import pytest

from orchestration.catalog import CALLS_FOR_SERVICE
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
    [contract] = [
        evaluation
        for evaluation in result.get_asset_check_evaluations()
        if evaluation.check_name == "soda_contract"
    ]
    assert not contract.passed
    assert "deliberately impossible" in str(contract.metadata["failed"].value)
    with platform.public_client() as client:
        assert client.get_view(CALLS_FOR_SERVICE.published.public_dataset_id) is None
