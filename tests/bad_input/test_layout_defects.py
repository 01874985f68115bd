"""Dataset-level bad input: a readable layout publishes as before, an unreadable one stops
its source at the raw step, naming the column or dataset, before anything of that source is
published; the other sources publish their day as usual (each source is its own lane).
"""

from __future__ import annotations

from collections.abc import Iterator

import dagster as dg
import pytest

from orchestration.catalog import DERIVED_DATASETS
from tests.bad_input.exports import (
    DAY,
    SOURCES_BY_NAME,
    fixture_export,
    platform_serving,
    published_dataset_ids,
    raw_count,
    row_id_field,
)
from tests.bad_input.fixtures.layouts import READABLE_LAYOUTS, UNREADABLE_LAYOUTS, LayoutCase
from tests.pipeline.conftest import Platform
from tests.warehouse_builder import query

pytestmark = [pytest.mark.integration, pytest.mark.slow]

# Public field -> source field whose value it publishes unchanged, per source.
PUBLISHED_AS_IS = {
    "calls_for_service": {"type_": "type", "timearrive": "timearrive", "timeclosed": "timeclosed"},
    "service_requests_311": {
        "request_reason": "request_reason",
        "final_address": "final_address",
        "date_created": "date_created",
    },
    "use_of_force": {"date_occurred": "date_occurred"},
}


def files_with(cases: tuple[LayoutCase, ...]) -> dict[str, object]:
    files: dict[str, object] = {name: fixture_export(name) for name in SOURCES_BY_NAME}
    for case in cases:
        files[case.source] = case.change(fixture_export(case.source))
    return files


@pytest.fixture(scope="module")
def readable(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Platform, object]]:
    root = tmp_path_factory.mktemp("readable_layouts")
    with platform_serving(root, files_with(READABLE_LAYOUTS)) as platform:
        yield platform, platform.run_daily_job(DAY)


def test_a_day_in_readable_layouts_publishes(readable):
    _, result = readable
    assert result.success, [e.message for e in result.all_events if e.is_step_failure]


@pytest.mark.parametrize("case", READABLE_LAYOUTS, ids=str)
def test_a_readable_layout_publishes_every_value_as_the_usual_layout_does(readable, case):
    platform, _ = readable
    source = SOURCES_BY_NAME[case.source]
    published = {
        row[row_id_field(case.source)]: row
        for row in platform.published_rows(source.published.public_dataset_id)
    }
    expected = {
        row[row_id_field(case.source)]: {
            public: row[field] or None for public, field in PUBLISHED_AS_IS[case.source].items()
        }
        for row in fixture_export(case.source).rows
    }
    shown = {
        row_id: {public: published[row_id].get(public) for public in PUBLISHED_AS_IS[case.source]}
        for row_id in published
    }
    assert shown == expected


def test_an_added_column_is_never_published(readable):
    platform, _ = readable
    rows = platform.published_rows(SOURCES_BY_NAME["use_of_force"].published.public_dataset_id)
    assert rows and all("body_worn_camera" not in row for row in rows)


def failure_messages(result: dg.ExecuteInProcessResult, step_key: str) -> list[str]:
    messages = []
    for event in result.all_events:
        if event.is_step_failure and event.step_key == step_key:
            data = event.step_failure_data
            messages.append(data.error.message if data.error else "")
            if data.user_failure_data and data.user_failure_data.description:
                messages.append(data.user_failure_data.description)
    return messages


@pytest.fixture(scope="module")
def unreadable(tmp_path_factory: pytest.TempPathFactory):
    """Each unreadable case's run, made the first time a test asks for it (portals then stop;
    the warehouse file stays to be read)."""
    done: dict[str, tuple[Platform, dg.ExecuteInProcessResult, list[str]]] = {}

    def run_of(case: LayoutCase):
        if case.name not in done:
            root = tmp_path_factory.mktemp(case.name)
            with platform_serving(root, files_with((case,))) as platform:
                result = platform.run_daily_job(DAY)
                done[case.name] = (platform, result, published_dataset_ids(platform))
        return done[case.name]

    return run_of


@pytest.mark.parametrize("case", UNREADABLE_LAYOUTS, ids=str)
def test_an_unreadable_dataset_fails_the_run_naming_what_is_wrong(unreadable, case):
    _, result, _ = unreadable(case)
    assert not result.success
    messages = failure_messages(result, f"raw_{case.source}")
    assert messages, "the source's raw step should be the one that fails"
    assert all(text in messages[-1] for text in case.failure), messages[-1]


def public_ids_fed_by(source_name: str) -> set[str]:
    """The public datasets of a source: its own, and those derived from it."""
    own = SOURCES_BY_NAME[source_name].published
    derived = {d.public_dataset_id for d in DERIVED_DATASETS if own.name in d.derived_from}
    return {own.public_dataset_id, *derived}


@pytest.mark.parametrize("case", UNREADABLE_LAYOUTS, ids=str)
def test_an_unreadable_dataset_publishes_nothing_of_its_own_or_derived_from_it(unreadable, case):
    _, _, public_datasets = unreadable(case)
    assert set(public_datasets) & public_ids_fed_by(case.source) == set()


@pytest.mark.parametrize("case", UNREADABLE_LAYOUTS, ids=str)
def test_an_unreadable_dataset_leaves_the_other_sources_published(unreadable, case):
    _, _, public_datasets = unreadable(case)
    others = {
        public_id
        for name in SOURCES_BY_NAME
        if name != case.source
        for public_id in public_ids_fed_by(name)
    }
    assert others <= set(public_datasets)


@pytest.mark.parametrize("case", UNREADABLE_LAYOUTS, ids=str)
def test_an_unreadable_dataset_is_not_retried_and_loads_no_row(unreadable, case):
    platform, result, _ = unreadable(case)
    retries = [
        e
        for e in result.all_events
        if e.step_key == f"raw_{case.source}"
        and e.event_type == dg.DagsterEventType.STEP_UP_FOR_RETRY
    ]
    assert retries == []
    table = SOURCES_BY_NAME[case.source].raw_table
    exists = query(
        platform.warehouse,
        "select count(*) from information_schema.tables "
        "where table_schema || '.' || table_name = ?",
        [table],
    )[0][0]
    assert not exists or raw_count(platform, case.source) == 0
