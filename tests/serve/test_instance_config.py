"""The Dagster instance configurations the project ships are ones Dagster accepts.

`make dev` copies deploy/dagster.yaml, `make serve` deploy/serve/dagster.yaml; a key Dagster
does not know, or two settings it refuses together, would stop the daemon at its start.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from dagster._config import validate_config
from dagster._core.instance.config import dagster_instance_config
from dagster_postgres import DagsterPostgresStorage

REPO_ROOT = Path(__file__).resolve().parents[2]
SHIPPED = {
    "dev": REPO_ROOT / "deploy" / "dagster.yaml",
    "serve": REPO_ROOT / "deploy" / "serve" / "dagster.yaml",
}


def loaded(name: str, tmp_path: Path) -> dict:
    shutil.copy(SHIPPED[name], tmp_path / "dagster.yaml")
    config, custom_class = dagster_instance_config(str(tmp_path))
    assert custom_class is None
    return dict(config)


@pytest.mark.parametrize("name", sorted(SHIPPED))
def test_dagster_accepts_the_shipped_instance_configuration(name, tmp_path):
    config = loaded(name, tmp_path)
    assert config["telemetry"]["enabled"] is False


@pytest.mark.parametrize("name", sorted(SHIPPED))
def test_one_run_at_a_time_and_one_warehouse_step_at_a_time(name, tmp_path):
    concurrency = loaded(name, tmp_path)["concurrency"]
    assert concurrency["runs"]["max_concurrent_runs"] == 1
    assert concurrency["pools"]["default_limit"] == 1


def test_serve_keeps_dagsters_storage_in_postgres_from_the_environment(tmp_path):
    storage = loaded("serve", tmp_path)["storage"]
    assert set(storage) == {"postgres"}
    checked = validate_config(DagsterPostgresStorage.config_type(), storage["postgres"])
    assert checked.success, checked.errors
    fields = dict(storage["postgres"]["postgres_db"])
    assert fields.pop("scheme") == "postgresql+psycopg2"  # the driver dagster-postgres installs
    assert all(isinstance(value, dict) and "env" in value for value in fields.values()), fields


def test_serve_marks_a_run_whose_worker_died_as_failed(tmp_path):
    monitoring = loaded("serve", tmp_path)["run_monitoring"]
    assert monitoring["enabled"] is True
    assert monitoring["max_resume_run_attempts"] == 0


@pytest.mark.parametrize("name", sorted(SHIPPED))
def test_a_dead_runs_pool_slot_is_given_back(name, tmp_path):
    """With the pool of one, a slot a killed run never released would hold every later run
    in the queue (tests/serve/test_serve.py kills one and re-executes it)."""
    monitoring = loaded(name, tmp_path)["run_monitoring"]
    assert monitoring["enabled"] is True
    assert 0 < monitoring["free_slots_after_run_end_seconds"] <= 60
