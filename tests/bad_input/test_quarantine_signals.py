"""A new disposition code on many of a day's calls is not lost quietly: the day's daily run
names the code, and the quarantine rate blocks the calls' publish (and the response times
computed from them) and no other source's.

One daily run of the real pipeline over the fixture exports, with 12 of the day's 77 calls
carrying a disposition code the `dispositions` seed does not list yet.
"""

from __future__ import annotations

import dagster as dg
import pytest

from orchestration.catalog import (
    CALLS_FOR_SERVICE,
    POLICE_RESPONSE_TIMES,
    SERVICE_REQUESTS_311,
    USE_OF_FORCE,
)
from orchestration.defs.review import review_asset_key
from tests.bad_input.exports import DAY, exports_with_cases, platform_serving
from tests.bad_input.fixtures.rows import RowCase

pytestmark = [pytest.mark.integration, pytest.mark.slow]

NEW_CODE = "ARR"
NEW_CODE_CALLS = RowCase(
    "new_disposition_code",
    "calls_for_service",
    tuple(
        {"nopd_item": f"B18{n:03d}26", "disposition": NEW_CODE, "dispositiontext": "ARREST MADE"}
        for n in range(12)
    ),
    fates=(),
)
MART = CALLS_FOR_SERVICE.published.mart_asset_key


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    root = tmp_path_factory.mktemp("new_code_signals")
    with platform_serving(root, exports_with_cases([NEW_CODE_CALLS])) as platform:
        result = platform.run_daily_job(DAY)
        evaluations = {(e.asset_key, e.check_name): e for e in result.get_asset_check_evaluations()}
        published = {e.asset_key for e in result.get_asset_materialization_events()}
        yield evaluations, published


def test_the_daily_run_names_the_new_disposition_code(run):
    evaluations, _ = run
    evaluation = evaluations[(MART, "no_new_codes")]
    assert not evaluation.passed
    codes = evaluation.metadata["new_codes"].value
    assert [(code["field"], code["code"], code["rows"]) for code in codes] == [
        ("disposition", NEW_CODE, 12)
    ]


def test_the_quarantine_rate_blocks_the_calls_publish_and_no_other_source(run):
    evaluations, published = run
    evaluation = evaluations[(MART, "quarantine_rate")]
    assert (evaluation.passed, evaluation.severity) == (False, dg.AssetCheckSeverity.ERROR)
    assert CALLS_FOR_SERVICE.published.published_asset_key not in published
    assert {
        USE_OF_FORCE.published.published_asset_key,
        SERVICE_REQUESTS_311.published.published_asset_key,
    } <= published


def test_the_response_times_follow_the_blocked_calls(run):
    _, published = run
    assert POLICE_RESPONSE_TIMES.published_asset_key not in published


def test_the_blocked_day_still_gets_its_review_packet(run):
    _, published = run
    assert review_asset_key(CALLS_FOR_SERVICE.name) in published
