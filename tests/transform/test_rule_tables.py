"""The rule tables are rebuilt only when what they are built from, or they themselves, changed
(orchestration/transform/rule_tables.py)."""

from pathlib import Path

import duckdb
import pytest

from orchestration.transform.rule_tables import (
    RecordedCheck,
    RuleTables,
    record_build,
    unchanged_build,
)

PARAMETERS = {"calls_for_service": {"block_grid_feet": 300}}
CHECK = RecordedCheck(("call_types",), "unique_call_types_type_code", True, "ERROR")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "dbt_project"
    (root / "seeds").mkdir(parents=True)
    (root / "macros").mkdir()
    (root / "seeds" / "call_types.csv").write_text("type_code,type_text\n21,COMPLAINT\n")
    (root / "macros" / "clock.sql").write_text("{% macro clock() %}1{% endmacro %}\n")
    (root / "dbt_project.yml").write_text("name: civic_data\n")
    return root


@pytest.fixture
def connection(tmp_path: Path) -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    connection.execute("create schema rules; create schema stewards")
    connection.execute("create table rules.call_types as select '21' as type_code")
    connection.execute("create table stewards.corrections as select 'juvenile' as kind")
    return connection


@pytest.fixture
def tables(project: Path) -> RuleTables:
    return RuleTables(project, ("rules.call_types",), ("stewards.corrections",))


def built(connection, tables) -> None:
    _, fingerprint = unchanged_build(connection, tables, PARAMETERS)
    record_build(connection, tables, fingerprint, [CHECK], "run-1")


def test_a_warehouse_whose_rule_tables_were_never_recorded_builds_them(connection, tables):
    recorded, _ = unchanged_build(connection, tables, PARAMETERS)
    assert recorded is None


def test_unchanged_files_inputs_and_tables_reuse_the_recorded_build(connection, tables):
    built(connection, tables)
    recorded, _ = unchanged_build(connection, tables, PARAMETERS)
    assert recorded is not None
    assert recorded.run_id == "run-1"
    assert recorded.checks == (CHECK,)


def test_a_changed_seed_file_builds_again(connection, tables, project):
    built(connection, tables)
    (project / "seeds" / "call_types.csv").write_text("type_code,type_text\n21,COMPLAINT OTHER\n")
    assert unchanged_build(connection, tables, PARAMETERS)[0] is None


def test_a_changed_macro_builds_again(connection, tables, project):
    built(connection, tables)
    (project / "macros" / "clock.sql").write_text("{% macro clock() %}2{% endmacro %}\n")
    assert unchanged_build(connection, tables, PARAMETERS)[0] is None


def test_other_privacy_parameters_build_again(connection, tables):
    built(connection, tables)
    other = {"calls_for_service": {"block_grid_feet": 600}}
    assert unchanged_build(connection, tables, other)[0] is None


def test_a_new_row_in_a_table_the_rule_models_read_builds_again(connection, tables):
    built(connection, tables)
    connection.execute("insert into stewards.corrections values ('canonical_text')")
    assert unchanged_build(connection, tables, PARAMETERS)[0] is None


def test_a_rule_table_edited_by_hand_is_rebuilt_not_trusted(connection, tables):
    built(connection, tables)
    connection.execute("update rules.call_types set type_code = '22'")
    assert unchanged_build(connection, tables, PARAMETERS)[0] is None


def test_a_dropped_rule_table_is_rebuilt(connection, tables):
    built(connection, tables)
    connection.execute("drop table rules.call_types")
    assert unchanged_build(connection, tables, PARAMETERS)[0] is None


def test_the_project_manifest_names_the_seeds_as_rule_tables():
    from orchestration.defs.transform import project_manifest
    from orchestration.transform.project import dbt_project

    tables = RuleTables.of_manifest(dbt_project.project_dir, project_manifest(dbt_project))
    assert "rules.call_types" in tables.tables
    assert "rules.juvenile_call_types" in tables.tables
