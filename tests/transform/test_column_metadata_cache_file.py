"""The column metadata cache file: a damaged or foreign one is ignored and replaced, not fatal.

A run reads the cache before deriving any model's metadata (`attach_column_metadata`); a
cache it cannot use must look empty, so every model is derived again, as on a fresh
deployment (tests/pipeline/test_column_metadata_cache.py runs that derivation for real).
"""

from __future__ import annotations

import json
import logging

import dagster as dg

from orchestration.transform.column_metadata import CACHE_FORMAT, ColumnMetadataCache

MODEL = "model.civic_data.calls_for_service"
METADATA = {"dagster/column_schema": dg.TableSchema(columns=[dg.TableColumn("nopd_item")])}


def test_an_unreadable_cache_file_reads_as_empty_and_says_so(tmp_path, caplog):
    path = tmp_path / "warehouse.duckdb.column-metadata.json"
    path.write_text("{not json", encoding="utf-8")

    with caplog.at_level(logging.WARNING):
        cache = ColumnMetadataCache(path)

    assert cache.get(MODEL, "any fingerprint") is None
    assert "unreadable column metadata cache" in caplog.text


def test_an_unreadable_cache_file_is_replaced_by_the_next_save(tmp_path):
    path = tmp_path / "warehouse.duckdb.column-metadata.json"
    path.write_text("{not json", encoding="utf-8")
    cache = ColumnMetadataCache(path)

    cache.put(MODEL, "fingerprint", METADATA)
    cache.save()

    assert json.loads(path.read_text(encoding="utf-8"))["format"] == CACHE_FORMAT
    assert ColumnMetadataCache(path).get(MODEL, "fingerprint") == METADATA


def test_a_cache_of_another_format_reads_as_empty(tmp_path):
    path = tmp_path / "warehouse.duckdb.column-metadata.json"
    path.write_text(json.dumps({"format": CACHE_FORMAT + 1, "models": {MODEL: {}}}))

    assert ColumnMetadataCache(path).get(MODEL, "fingerprint") is None


def test_a_model_whose_fingerprint_changed_is_not_reused(tmp_path):
    cache = ColumnMetadataCache(tmp_path / "cache.json")
    cache.put(MODEL, "old", METADATA)

    assert cache.get(MODEL, "new") is None
    assert cache.get(MODEL, "old") == METADATA
