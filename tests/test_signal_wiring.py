"""Each source's mart carries the quarantine-rate check, blocking its publish alone; the calls
mart carries the new-code warning, which blocks nothing."""

from __future__ import annotations

import dagster as dg
import pytest

from orchestration.catalog import CALLS_FOR_SERVICE, SOURCES


@pytest.fixture(scope="module")
def graph():
    from orchestration.definitions import defs

    return defs.get_repository_def().asset_graph


@pytest.mark.parametrize("source", SOURCES, ids=lambda source: source.name)
def test_every_source_mart_has_a_blocking_quarantine_rate_check(graph, source):
    key = dg.AssetCheckKey(source.published.mart_asset_key, "quarantine_rate")
    assert key in graph.asset_check_keys
    assert graph.get_check_spec(key).blocking


def test_the_calls_mart_has_a_new_code_warning_that_blocks_nothing(graph):
    key = dg.AssetCheckKey(CALLS_FOR_SERVICE.published.mart_asset_key, "no_new_codes")
    assert key in graph.asset_check_keys
    assert not graph.get_check_spec(key).blocking
