"""One source, one day, one command: the selection docs/operating.md gives runs the daily job
for a single source on a fresh warehouse whose source portal holds only that source."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import pytest

from orchestration.catalog import CALLS_FOR_SERVICE, SERVICE_REQUESTS_311, USE_OF_FORCE
from tests.pipeline.conftest import DAY, Platform, running_platform
from tooling.generator.samples import write_samples

pytestmark = pytest.mark.integration

OPERATING = Path(__file__).resolve().parents[2] / "docs" / "operating.md"


def documented_selection() -> str:
    """The `--select` of the "One source, one day" section, as a reader would copy it."""
    section = OPERATING.read_text(encoding="utf-8").split("## One source, one day", 1)[1]
    section = section.split("\n## ", 1)[0]
    found = re.search(r"--select '([^']+)' --partition (\d{4}-\d\d-\d\d)", section)
    assert found, "the section shows no `dagster asset materialize --select ... --partition`"
    return found.group(1)


@pytest.fixture(scope="module")
def one_source(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Platform, object]]:
    """A fresh warehouse; the internal portal holds the use-of-force export alone."""
    root = tmp_path_factory.mktemp("one_source")
    exports = write_samples(
        root / "portal" / "internal", DAY, DAY, seed=7, scale=4, sources=(USE_OF_FORCE,)
    )
    with running_platform(root, exports) as platform:
        definitions = platform.definitions()
        # Resolved as `dagster asset materialize --select` resolves it (dagster/_cli/asset.py).
        selection = dg.AssetSelection.from_coercible(documented_selection().split(","))
        keys = selection.resolve(definitions.resolve_asset_graph())
        yield platform, platform.run_daily_job(DAY, assets=sorted(keys))


def test_the_documented_selection_is_the_rule_tables_and_one_sources_lane():
    selection = documented_selection().split(",")
    assert selection == ["group:rules", "raw_use_of_force*"]


def test_one_source_runs_alone_on_a_fresh_warehouse(one_source):
    _, result = one_source
    assert result.success, [e.message for e in result.all_events if e.is_step_failure]


def test_one_source_publishes_its_day(one_source):
    platform, _ = one_source
    assert platform.published_rows(USE_OF_FORCE.published.public_dataset_id)


def test_one_source_touches_no_other_source(one_source):
    platform, result = one_source
    steps = {event.step_key for event in result.all_events if event.step_key}
    assert not {s for s in steps if CALLS_FOR_SERVICE.name in s or SERVICE_REQUESTS_311.name in s}
    for other in (CALLS_FOR_SERVICE, SERVICE_REQUESTS_311):
        assert platform.published_rows(other.published.public_dataset_id) == []
