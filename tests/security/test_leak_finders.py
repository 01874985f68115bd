"""The leak searches find a secret planted where each of them looks (so a clean search of
the pipeline means something)."""

from __future__ import annotations

import dagster as dg
import duckdb

from tests.public_datasets import seed_view
from tests.security.leaks import leaks_in_portal, leaks_in_runs, leaks_in_warehouse, needles
from tooling.local_portal.server import serve_in_thread

PLANTED = {"a planted secret": "planted-Wq93Ee1"}


def test_the_run_search_finds_a_secret_in_a_log_message():
    @dg.op
    def chatty(context) -> None:
        context.log.info(f"connecting with {PLANTED['a planted secret']}")

    @dg.job
    def leaky():
        chatty()

    with dg.instance_for_test() as instance:
        result = leaky.execute_in_process(instance=instance)
        assert leaks_in_runs(instance, [result.run_id], PLANTED)


def test_the_run_search_finds_a_secret_in_materialization_metadata():
    @dg.asset
    def leaky_asset() -> dg.MaterializeResult:
        return dg.MaterializeResult(metadata={"url": f"https://x/{PLANTED['a planted secret']}"})

    with dg.instance_for_test() as instance:
        result = dg.materialize([leaky_asset], instance=instance)
        assert leaks_in_runs(instance, [result.run_id], PLANTED)


def test_the_warehouse_search_finds_a_secret_in_any_text_column(tmp_path):
    path = str(tmp_path / "w.duckdb")
    with duckdb.connect(path) as connection:
        connection.execute("create schema ops")
        connection.execute("create table ops.run_failures (error varchar)")
        connection.execute(
            "insert into ops.run_failures values (?)", [f"x {PLANTED['a planted secret']} y"]
        )
    assert leaks_in_warehouse(path, PLANTED) == ["ops.run_failures.error: a planted secret"]


def test_the_portal_search_finds_a_secret_in_a_views_metadata(tmp_path):
    with serve_in_thread(tmp_path) as portal:
        view = {
            "name": "Leaky",
            "description": f"token {PLANTED['a planted secret']}",
            "columns": [],
            "metadata": {},
        }
        seed_view(portal.url, "leak-0001", view)
        assert leaks_in_portal(portal.url, PLANTED)


def test_basic_auth_tokens_are_searched_for_too():
    found = needles({}, users=[("writer", "pw")])
    assert found == {"basic auth of writer": "d3JpdGVyOnB3"}


def test_the_warehouse_search_names_each_column_and_secret_it_finds_in_views_too(tmp_path):
    path = str(tmp_path / "w.duckdb")
    secrets = {"first": "alpha-secret", "second": "beta-secret"}
    with duckdb.connect(path) as connection:
        connection.execute("create table t (clean varchar, leaky varchar, n integer)")
        connection.execute("insert into t values ('nothing', 'has beta-secret inside', 1)")
        connection.execute("create view v as select leaky as copied, clean from t")
    assert sorted(leaks_in_warehouse(path, secrets)) == [
        "main.t.leaky: second",
        "main.v.copied: second",
    ]
