"""Which source feeds a published dataset: the catalog answers it, once."""

from __future__ import annotations

from orchestration.catalog import DERIVED_DATASETS, SOURCES, source_of


def test_each_source_feeds_its_own_published_dataset():
    for source in SOURCES:
        assert source_of(source.published.name) is source


def test_a_derived_dataset_has_no_source_of_its_own():
    for dataset in DERIVED_DATASETS:
        assert source_of(dataset.name) is None


def test_the_answer_comes_from_the_sources_asked():
    [first, *others] = SOURCES
    assert source_of(first.published.name, tuple(others)) is None
    assert source_of(first.published.name, (first,)) is first
