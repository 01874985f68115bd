"""Row-level bad input: each defect is quarantined with its reason, and only that row is.

One daily run of the real pipeline (portal -> raw -> dbt -> contracts -> publish) over the
fixture exports with every case of fixtures/rows.py slipped in. A bad row must neither fail
the day's publish nor vanish: it gets the fate the case names, its raw row is accounted for
once, and a quarantined row never reaches the public portal.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass

import pytest

from tests.bad_input.exports import (
    DAY,
    MARKER,
    SOURCES_BY_NAME,
    exports_with_cases,
    fate_counts,
    platform_serving,
    published_dataset_ids,
    raw_count,
    row_id_field,
)
from tests.bad_input.fixtures.rows import ROW_CASES, RowCase
from tests.pipeline.conftest import Platform
from tests.warehouse_builder import query

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def case_params(cases) -> list:
    return [pytest.param(case, id=case.name) for case in cases]


BATCHES = [pytest.param(batch, id=batch) for batch in sorted({case.batch for case in ROW_CASES})]
ALL_CASES = case_params(ROW_CASES)
QUARANTINED_CASES = case_params(
    case for case in ROW_CASES if any(f == "quarantined" for f, _ in case.fates)
)
PUBLISHED_CASES = case_params(case for case in ROW_CASES if case.public)


@dataclass
class BatchRun:
    """One daily run over the fixture exports with one batch's cases slipped in."""

    platform: Platform
    result: object
    published: dict[str, dict[str, dict]]  # source name -> row identifier -> public row


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[[str], BatchRun]]:
    """Each batch's run, made the first time a test asks for it and shared afterwards."""
    done: dict[str, BatchRun] = {}
    with ExitStack() as stack:

        def run_of(batch: str) -> BatchRun:
            if batch not in done:
                cases = [case for case in ROW_CASES if case.batch == batch]
                root = tmp_path_factory.mktemp(f"row_defects_{batch}")
                platform = stack.enter_context(platform_serving(root, exports_with_cases(cases)))
                result = platform.run_daily_job(DAY)
                public = set(published_dataset_ids(platform))
                published = {
                    name: {
                        row[row_id_field(name)]: row
                        for row in platform.published_rows(source.published.public_dataset_id)
                    }
                    if source.published.public_dataset_id in public
                    else {}
                    for name, source in SOURCES_BY_NAME.items()
                }
                done[batch] = BatchRun(platform, result, published)
            return done[batch]

        yield run_of


def fates_of(platform: Platform, case: RowCase) -> list[tuple[str, str | None, str | None]]:
    """(fate, reason, row id) of each raw row of the case, from the audit's row fates."""
    source = SOURCES_BY_NAME[case.source]
    return query(
        platform.warehouse,
        f"select fate.fate, fate.fate_reason, raw.{row_id_field(case.source)} "
        f"from {source.raw_table} as raw "
        f"left join {source.row_fates_table} as fate on fate.source_row_id = raw._source_row_id "
        f"where raw._partition_date = ? and raw.{MARKER[case.source]} = ? order by all",
        [DAY, case.name],
    )


@pytest.mark.parametrize("batch", BATCHES)
def test_a_day_with_bad_rows_still_publishes_every_dataset(runs, batch):
    result = runs(batch).result
    failures = [e.message for e in result.all_events if e.is_step_failure]
    assert result.success, failures
    materialized = {e.asset_key for e in result.get_asset_materialization_events()}
    assert {s.published.published_asset_key for s in SOURCES_BY_NAME.values()} <= materialized


@pytest.mark.parametrize("case", ALL_CASES)
def test_each_bad_row_gets_the_fate_and_reason_its_case_names(runs, case):
    fates = sorted((fate, reason) for fate, reason, _ in fates_of(runs(case.batch).platform, case))
    assert fates == sorted(case.fates)


@pytest.mark.parametrize("case", ALL_CASES)
def test_each_raw_row_of_a_case_has_exactly_one_fate(runs, case):
    source = SOURCES_BY_NAME[case.source]
    counts = query(
        runs(case.batch).platform.warehouse,
        f"select count(*), count(distinct fate.source_row_id) from {source.raw_table} as raw "
        f"join {source.row_fates_table} as fate on fate.source_row_id = raw._source_row_id "
        f"where raw._partition_date = ? and raw.{MARKER[case.source]} = ?",
        [DAY, case.name],
    )
    assert counts == [(len(case.rows), len(case.rows))]


@pytest.mark.parametrize("case", QUARANTINED_CASES)
def test_a_quarantined_row_never_reaches_the_portal(runs, case):
    run = runs(case.batch)
    fates = fates_of(run.platform, case)
    published_ids = {row_id for fate, _, row_id in fates if fate == "published"}
    quarantined_ids = {row_id for fate, _, row_id in fates if fate == "quarantined"}
    assert quarantined_ids, "the case's rows should have been loaded and quarantined"
    assert not (quarantined_ids - published_ids) & run.published[case.source].keys()


def published_row(run: BatchRun, case: RowCase) -> dict:
    fates = fates_of(run.platform, case)
    (row_id,) = {row_id for fate, _, row_id in fates if fate == "published"}
    return run.published[case.source][row_id]


@pytest.mark.parametrize("case", PUBLISHED_CASES)
def test_a_published_bad_row_shows_its_public_values(runs, case):
    row = published_row(runs(case.batch), case)
    assert {field: row.get(field) for field in case.public} == dict(case.public)


@pytest.mark.parametrize("case", PUBLISHED_CASES)
def test_no_private_text_of_a_published_bad_row_is_published(runs, case):
    text = json.dumps(published_row(runs(case.batch), case))
    assert case.name not in text  # the private marker field
    assert len(text) < 5_000  # a 100 kB private narrative stays behind


@pytest.mark.parametrize("batch", BATCHES)
@pytest.mark.parametrize("source_name", sorted(SOURCES_BY_NAME))
def test_raw_rows_reconcile_with_published_quarantined_excluded_and_merged(
    runs, batch, source_name
):
    run = runs(batch)
    counts = fate_counts(run.platform, source_name)
    assert sum(counts.values()) == raw_count(run.platform, source_name)
    assert set(counts) <= {"published", "excluded", "merged_duplicate", "quarantined"}
    expected_quarantined = sum(
        1
        for case in ROW_CASES
        if case.source == source_name and case.batch == batch
        for fate, _ in case.fates
        if fate == "quarantined"
    )
    assert counts.get("quarantined", 0) == expected_quarantined
    published_ids = {
        row_id
        for (row_id,) in query(
            run.platform.warehouse,
            f"select distinct {row_id_field(source_name)} "
            f"from {SOURCES_BY_NAME[source_name].row_fates_table} "
            "where partition_date = ? and fate = 'published'",
            [DAY],
        )
    }
    assert published_ids == set(run.published[source_name])
