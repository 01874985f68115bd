"""The dbt overhead baseline replays the statements of dbt's debug log, per connection."""

from __future__ import annotations

import json

import duckdb

from tooling.benchmark.dbt_replay import replay


def _event(name: str, **data) -> str:
    return json.dumps({"info": {"name": name}, "data": data}) + "\n"


def _target(tmp_path):
    (tmp_path / "manifest.json").write_text(json.dumps({"nodes": {}}))
    return tmp_path


def test_every_logged_statement_runs_in_order_on_its_connection(tmp_path):
    log = tmp_path / "dbt.log"
    log.write_text(
        "not json: dbt's text lines are skipped\n"
        + _event("SQLQuery", conn_name="model.a", sql="begin")
        + _event("SQLQuery", conn_name="model.a", sql="create table a as select 1 as x")
        + _event("SQLQuery", conn_name="list_schemas", sql="begin")
        + _event("SQLQuery", conn_name="list_schemas", sql="select 1")
        + _event("Rollback", conn_name="list_schemas")
        + _event("SQLQuery", conn_name="model.a", sql="insert into a values (2)")
        + _event("SQLQuery", conn_name="model.a", sql="commit")
        + _event("NodeFinished", conn_name="model.a")
    )
    warehouse = tmp_path / "warehouse.duckdb"
    assert replay(log, _target(tmp_path), warehouse) == 6
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        assert connection.execute("select sum(x) from a").fetchone() == (3,)


def test_a_rollback_of_a_connection_without_a_transaction_is_harmless(tmp_path):
    log = tmp_path / "dbt.log"
    log.write_text(
        _event("Rollback", conn_name="master")
        + _event("SQLQuery", conn_name="master", sql="create table b as select 1 as y")
    )
    assert replay(log, _target(tmp_path), tmp_path / "w.duckdb") == 1
