"""The SQL a dbt build ran, run again directly in DuckDB in one process: dbt's overhead baseline.

dbt's debug log (JSON lines) records every statement it sent to DuckDB, per connection, in
order: the models' DDL and DML as compiled from the same models, tests, introspection,
BEGIN and COMMIT. Replaying them on cursors named like dbt's connections does the same work
without dbt: no parsing, no Jinja, no graph, no threads, no artifacts. Python models send no
SQL for their body; their compiled module (dbt writes it under the target's `run/` folder)
is executed the way dbt-duckdb executes it, right before the statement that renames the
table it wrote into place.

    python -m tooling.benchmark.dbt_replay LOG TARGET_DIR WAREHOUSE
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb


@dataclass(frozen=True)
class Statement:
    connection: str
    node: str | None
    sql: str | None  # None: roll the connection's transaction back
    python_module: Path | None = None  # run this Python model's module first


def python_models(target_dir: Path) -> dict[str, Path]:
    """Each Python model's unique id and its compiled module under `target_dir/run`."""
    manifest = json.loads((target_dir / "manifest.json").read_text())
    found = {}
    for unique_id, node in manifest["nodes"].items():
        if node.get("language") == "python" and node["resource_type"] == "model":
            run_file = target_dir / "run" / node["package_name"] / node["original_file_path"]
            found[unique_id] = run_file
    return found


def statements(log: Path, target_dir: Path) -> Iterator[Statement]:
    """The statements of a dbt debug log, in order, with Python models where they ran."""
    modules = python_models(target_dir)
    pending_python = set(modules)
    with log.open(encoding="utf-8") as lines:
        for line in lines:
            if not line.startswith("{"):
                continue
            event = json.loads(line)
            name = event["info"]["name"]
            data = event.get("data", {})
            node = (data.get("node_info") or {}).get("unique_id")
            if name == "SQLQuery":
                module = None
                if node in pending_python and "rename to" in data["sql"]:
                    pending_python.discard(node)
                    module = modules[node]
                yield Statement(data["conn_name"], node, data["sql"], module)
            elif name == "Rollback":
                yield Statement(data["conn_name"], node, None)


def run_python_model(connection: duckdb.DuckDBPyConnection, module_path: Path) -> None:
    """Execute a compiled Python model as dbt-duckdb's local environment does."""
    spec = importlib.util.spec_from_file_location(module_path.stem, module_path)
    if spec is None or spec.loader is None:
        raise RuntimeError(f"cannot load {module_path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    dbt = module.dbtObj(lambda table: connection.query(f"select * from {table}"))
    frame = module.model(dbt, connection)
    module.materialize(frame, connection)


def replay(log: Path, target_dir: Path, warehouse: Path) -> int:
    """Run every statement of the log on `warehouse`; the number of statements run."""
    database = duckdb.connect(str(warehouse))
    cursors: dict[str, duckdb.DuckDBPyConnection] = {}
    count = 0
    try:
        for statement in statements(log, target_dir):
            cursor = cursors.setdefault(statement.connection, database.cursor())
            if statement.python_module is not None:
                run_python_model(cursor, statement.python_module)
            if statement.sql is None:
                # dbt rolls back connections that hold no transaction too.
                with contextlib.suppress(duckdb.TransactionException):
                    cursor.rollback()
                continue
            cursor.execute(statement.sql)
            count += 1
    finally:
        for cursor in cursors.values():
            cursor.close()
        database.close()
    return count


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="dbt_replay", description=__doc__)
    parser.add_argument("log", type=Path, help="dbt's JSON debug log (dbt.log)")
    parser.add_argument("target_dir", type=Path, help="the target path of that dbt run")
    parser.add_argument("warehouse", type=Path)
    args = parser.parse_args(argv)
    count = replay(args.log, args.target_dir, args.warehouse)
    print(json.dumps({"statements": count}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
