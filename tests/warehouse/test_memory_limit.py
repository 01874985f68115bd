"""Every warehouse connection has a bounded buffer pool, so memory cannot grow with history."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
import yaml

from orchestration.transform.project import DBT_PROJECT_DIR
from orchestration.warehouse.resource import DEFAULT_MEMORY_LIMIT, WarehouseResource, limit_memory


def memory_limit_bytes(connection: duckdb.DuckDBPyConnection) -> int:
    (text,) = connection.execute("select current_setting('memory_limit')").fetchone()
    number, unit = text.split()  # DuckDB shows it as e.g. "1.8 GiB"
    scale = {"KiB": 2**10, "MiB": 2**20, "GiB": 2**30, "TiB": 2**40}[unit]
    return int(float(number) * scale)


def test_a_warehouse_connection_takes_the_resources_memory_limit(tmp_path: Path):
    warehouse = WarehouseResource(path=str(tmp_path / "warehouse.duckdb"))
    with warehouse.connect() as connection:
        assert memory_limit_bytes(connection) == pytest.approx(2 * 10**9, rel=0.08)


def test_a_unit_of_work_can_ask_for_less(tmp_path: Path):
    warehouse = WarehouseResource(path=str(tmp_path / "warehouse.duckdb"))
    with warehouse.connect(memory_limit="512MB") as connection:
        assert memory_limit_bytes(connection) == pytest.approx(512 * 10**6, rel=0.08)


def test_a_malformed_limit_is_refused_before_it_reaches_sql(tmp_path: Path):
    with duckdb.connect(str(tmp_path / "w.duckdb")) as connection, pytest.raises(ValueError):
        limit_memory(connection, "1GB'; drop table x; --")


def test_dbt_connects_with_the_same_limit_as_the_resource():
    profiles = yaml.safe_load((DBT_PROJECT_DIR / "profiles.yml").read_text())
    settings = profiles["civic_data"]["outputs"]["local"]["settings"]
    assert settings["memory_limit"] == DEFAULT_MEMORY_LIMIT
