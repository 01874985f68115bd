"""The daily run writes each source's review packet before publishing it, and the packet,
which holds source texts, stays inside: nothing of it reaches the public portal."""

from __future__ import annotations

import json
from pathlib import Path

import dagster as dg
import pytest

from orchestration.catalog import CALLS_FOR_SERVICE, PUBLISHED_DATASETS
from orchestration.defs.review import review_asset_key, section_key
from tests.pipeline.conftest import DAY

pytestmark = pytest.mark.integration

REVIEW = review_asset_key(CALLS_FOR_SERVICE.name)
PUBLISH = CALLS_FOR_SERVICE.published.published_asset_key


@pytest.fixture(scope="module")
def daily_run(platform):
    result = platform.run_daily_job()
    assert result.success
    return result


@pytest.fixture(scope="module")
def review_metadata(daily_run) -> dict[str, dg.MetadataValue]:
    (event,) = [e for e in daily_run.get_asset_materialization_events() if e.asset_key == REVIEW]
    return event.materialization.metadata


def markdown_sections_titles() -> list[str]:
    return [
        "Rows by fate",
        "New codes",
        "Candidate misspellings",
        "Suspected duplicate events",
        "Volume",
        "Changes since the last publish",
    ]


def page_path(platform) -> Path:
    return platform.warehouse.parent / "review" / CALLS_FOR_SERVICE.name / f"{DAY}.html"


def test_the_calls_review_packet_is_materialized_before_the_calls_are_published(daily_run):
    order = [e.asset_key for e in daily_run.get_asset_materialization_events()]
    assert REVIEW in order and PUBLISH in order
    assert order.index(REVIEW) < order.index(PUBLISH)


def test_the_packet_page_is_written_beside_the_warehouse(platform, review_metadata):
    path = page_path(platform)
    assert path.is_file()
    assert review_metadata["packet_path"].value == str(path.resolve())
    assert "<h2>Rows by fate</h2>" in path.read_text()


def test_the_packet_shows_its_sections_in_the_ui(review_metadata):
    assert review_metadata["rows_by_fate"].value.get("published", 0) > 0
    for title in markdown_sections_titles():
        assert isinstance(review_metadata[section_key(title)], dg.MarkdownMetadataValue), title
    assert review_metadata["packet_url"].value.startswith("file://")


def test_the_packet_never_reaches_the_public_portal(platform, daily_run, review_metadata):
    public_files = [p.name for p in (platform.root / "portal" / "public").rglob("*")]
    assert not [name for name in public_files if name.endswith(".html")]
    assert not page_path(platform).resolve().is_relative_to(platform.root / "portal")
    with platform.public_client() as client:
        published = json.dumps(
            [
                [row for page in client.iter_pages(dataset.public_dataset_id) for row in page]
                + [client.get_view(dataset.public_dataset_id)]
                for dataset in PUBLISHED_DATASETS
            ]
        )
    assert "review/" not in published and "Review packet" not in published
    assert str(page_path(platform).name) not in published
