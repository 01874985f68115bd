"""The full-history figures on a tiny history: they run, and write the keys results.json needs."""

from __future__ import annotations

import pytest

from orchestration.catalog import SOURCES
from orchestration.socrata.client import SocrataClient
from tooling.benchmark import cli
from tooling.benchmark.context import BenchContext
from tooling.benchmark.figures import Status, select

TINY_SCALE = 0.002  # eleven days


@pytest.fixture(scope="module")
def ingest_result(tmp_path_factory):
    from contextlib import ExitStack

    with ExitStack() as stack:
        context = BenchContext(
            tmp_path_factory.mktemp("bench"), progress=False, scale=TINY_SCALE, stack=stack
        )
        [(_, result)] = cli.run_figures(select(["ingest"]), context)
        yield context, result


@pytest.mark.slow
def test_the_ingest_figure_reads_the_same_rows_both_ways_and_reports_its_keys(ingest_result):
    context, result = ingest_result
    assert result.status is not Status.ERROR, result.message
    for key in ("ingest_rows_per_s", "ingest_vs_naive", "ingest_peak_rss_mb"):
        assert result.results[key] > 0
    # Every row the internal portal serves (it keeps one version per row identifier, as
    # Socrata does, so a generated 311 request re-sent as a later version is one row).
    with SocrataClient(context.source_portal().domain) as client:
        served = sum(client.count(source.internal_dataset_id) for source in SOURCES)
    assert result.results["ingest_rows"] == served


@pytest.mark.slow
def test_the_loader_beats_the_naive_path_on_the_same_rows(ingest_result):
    _, result = ingest_result
    assert result.results["ingest_vs_naive"] > 1
