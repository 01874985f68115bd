"""Two runs over overlapping days, launched together in two processes, publish what one
run publishes and leave the warehouse consistent."""

from __future__ import annotations

from datetime import timedelta

import duckdb
import pytest

from orchestration.catalog import PUBLISHED_DATASETS, SOURCES
from orchestration.publishing.ledger import LEDGER_TABLE
from tests.concurrency.conftest import FIRST, finished, start_range_run
from tests.pipeline.conftest import DAY, running_platform, write_sample_exports

pytestmark = pytest.mark.slow
MIDDLE = FIRST + timedelta(days=1)


def public_rows(platform) -> dict[str, dict[str, dict]]:
    """Every public dataset's rows by row identifier, without the portal's system fields."""
    rows = {}
    for dataset in PUBLISHED_DATASETS:
        with platform.public_client() as client:
            exists = client.get_view(dataset.public_dataset_id) is not None
        published = platform.published_rows(dataset.public_dataset_id) if exists else []
        rows[dataset.public_dataset_id] = {
            row[dataset.row_identifier]: {k: v for k, v in row.items() if not k.startswith(":")}
            for row in published
        }
    return rows


def warehouse_counts(platform) -> dict[str, int]:
    with duckdb.connect(str(platform.warehouse), read_only=True) as connection:

        def count(sql: str, *params: object) -> int:
            return connection.execute(sql, list(params)).fetchone()[0]

        counts = {}
        for source in SOURCES:
            counts[f"{source.raw_table} rows"] = count(f"select count(*) from {source.raw_table}")
            counts[f"{source.row_fates_table} rows"] = count(
                f"select count(*) from {source.row_fates_table}"
            )
        for dataset in PUBLISHED_DATASETS:
            counts[f"{dataset.mart_table} rows"] = count(
                f"select count(*) from {dataset.mart_table}"
            )
            counts[f"{dataset.mart_table} ids"] = count(
                f"select count(distinct {dataset.row_identifier}) from {dataset.mart_table}"
            )
            counts[f"{dataset.public_dataset_id} ledger rows"] = count(
                f"select count(*) from {LEDGER_TABLE} where dataset_id = ?",
                dataset.public_dataset_id,
            )
        return counts


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory, unqueued_home):
    """The same source published by one run over three days, and by two overlapping runs."""
    single_root = tmp_path_factory.mktemp("single")
    pair_root = tmp_path_factory.mktemp("pair")
    exports = write_sample_exports(single_root / "portal" / "internal", FIRST, DAY)
    write_sample_exports(pair_root / "portal" / "internal", FIRST, DAY)
    with running_platform(single_root, exports) as single:
        code, output = finished(start_range_run(single, unqueued_home, FIRST, DAY))
        assert code == 0, output
        single_rows, single_counts = public_rows(single), warehouse_counts(single)
    with running_platform(pair_root, exports) as pair:
        first = start_range_run(pair, unqueued_home, FIRST, MIDDLE)
        second = start_range_run(pair, unqueued_home, MIDDLE, DAY)
        results = [finished(first), finished(second)]
        yield {
            "results": results,
            "single_rows": single_rows,
            "single_counts": single_counts,
            "pair_rows": public_rows(pair),
            "pair_counts": warehouse_counts(pair),
        }


def test_both_overlapping_runs_succeed(outcomes):
    for code, output in outcomes["results"]:
        assert code == 0, output


def test_the_second_run_waits_for_the_first_and_says_so(outcomes):
    outputs = "\n".join(output for _, output in outcomes["results"])
    assert "the warehouse is held by run" in outputs


def test_overlapping_runs_publish_the_rows_one_run_publishes(outcomes):
    assert outcomes["pair_rows"] == outcomes["single_rows"]
    assert all(outcomes["single_rows"].values()), "every dataset has rows to compare"


def test_overlapping_runs_leave_no_duplicate_keys_in_the_marts(outcomes):
    counts = outcomes["pair_counts"]
    for dataset in PUBLISHED_DATASETS:
        assert counts[f"{dataset.mart_table} rows"] == counts[f"{dataset.mart_table} ids"]


def test_overlapping_runs_leave_counts_that_reconcile(outcomes):
    counts, rows = outcomes["pair_counts"], outcomes["pair_rows"]
    for source in SOURCES:
        assert counts[f"{source.raw_table} rows"] == counts[f"{source.row_fates_table} rows"]
    for dataset in PUBLISHED_DATASETS:
        ledger = counts[f"{dataset.public_dataset_id} ledger rows"]
        assert ledger == len(rows[dataset.public_dataset_id]), dataset.name
    assert counts == outcomes["single_counts"]
