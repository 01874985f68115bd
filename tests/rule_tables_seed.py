"""One build of the rule tables for the whole suite, not one a platform.

A warehouse's first run builds and tests the rule tables (the seeds and the reviewed rule
models) in the `dbt_rules` step; a later run whose rule files, parameters and stewards'
decisions are unchanged replays that build instead (orchestration/transform/rule_tables.py).
Every test platform starts from the same files, so after one platform has built them, the
others start from a warehouse holding a copy of those tables and of the build's record:
whatever no longer matches (other privacy parameters, a steward's correction) the run
rebuilds, exactly as production does with its own warehouse. tests/transform/
test_rule_tables.py, which tests the build and the replay, starts without a copy.

The copy lives beside the suite's column metadata seed (tests/column_metadata_seed.py), in
the session's temporary base folder, named by SEED_ENV.
"""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

import duckdb

from orchestration.corrections.table import TABLE as CORRECTIONS_TABLE
from orchestration.transform.rule_tables import BUILT_TABLE, recorded_build
from orchestration.warehouse.sql import table_exists

SEED_ENV = "CIVIC_TEST_RULE_TABLES_SEED"


def _seed() -> Path | None:
    location = os.environ.get(SEED_ENV)
    return Path(location) if location else None


def seed_rule_tables(warehouse: Path) -> bool:
    """Start a new warehouse from the suite's built rule tables; whether there were any."""
    seed = _seed()
    if seed is None or not seed.is_file() or warehouse.exists():
        return False
    shutil.copyfile(seed, warehouse)
    return True


def share_rule_tables(warehouse: Path) -> None:
    """Offer a warehouse's rule tables, built without any steward's decision, to the
    platforms built after it (once)."""
    seed = _seed()
    if seed is None or seed.exists() or not warehouse.is_file():
        return
    try:
        with duckdb.connect(str(warehouse), read_only=True) as connection:
            recorded = recorded_build(connection)
            decided = (
                table_exists(connection, CORRECTIONS_TABLE)
                and connection.execute(f"select count(*) from {CORRECTIONS_TABLE}").fetchone()[0]
            )
    except duckdb.Error:  # held by a run, or not a warehouse yet: another platform shares
        return
    if recorded is None or decided:
        return
    partial = seed.with_name(f"{seed.name}.{uuid.uuid4().hex}.partial")
    with duckdb.connect(str(partial)) as template:
        template.execute("attach ? as built (read_only)", [str(warehouse)])
        for table in [*recorded.contents, BUILT_TABLE]:
            schema = table.split(".")[0]
            template.execute(f"create schema if not exists {schema}")
            template.execute(f"create table {table} as select * from built.{table}")
        template.execute("detach built")
    os.replace(partial, seed)
