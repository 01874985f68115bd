"""`stewards.corrections` in the warehouse: append-only, one row per decision.

dbt creates the same table when it is absent (dbt_project/macros/stewards.sql, run at the
start of every dbt invocation), so a fresh warehouse builds before any steward decides
anything; this module creates it too, so the first decision can be recorded before the
first build. `tests/corrections/` keeps the two definitions equal.

Rows are only ever inserted: a correction of a correction is a later decision on the same
subject, which supersedes it in `rules.corrections_in_effect` and leaves it in the history
the lineage document shows.
"""

from __future__ import annotations

import csv
import uuid
from collections.abc import Collection, Iterable
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg
import duckdb

from orchestration.corrections.decisions import Decision, normalized_code
from orchestration.warehouse.sql import table_exists, transaction

TABLE = "stewards.corrections"
# The table as an asset: dbt's source `stewards.corrections` maps to it (its meta's
# dagster.asset_key), the recording jobs materialize it, lineage stops at it.
CORRECTIONS_ASSET_KEY = dg.AssetKey("stewards_corrections")
IN_EFFECT_TABLE = "rules.corrections_in_effect"
COLUMNS = (
    ("correction_id", "varchar not null primary key"),
    ("recorded_at", "timestamptz not null"),
    ("steward", "varchar not null"),
    ("reason", "varchar not null"),
    ("kind", "varchar not null"),
    ("dataset", "varchar not null"),
    ("subject", "varchar not null"),
    ("code", "varchar"),
    ("source_text", "varchar"),
    ("public_text", "varchar"),
    ("is_juvenile", "boolean"),
    ("is_sensitive_location", "boolean"),
    ("row_id", "varchar"),
    ("duplicate_of", "varchar"),
    ("decision", "varchar"),
)
SEED_CALL_TYPES = Path(__file__).resolve().parents[2] / "dbt_project" / "seeds" / "call_types.csv"


def ensure_table(connection: duckdb.DuckDBPyConnection) -> None:
    connection.execute("create schema if not exists stewards")
    columns = ", ".join(f"{name} {kind}" for name, kind in COLUMNS)
    connection.execute(f"create table if not exists {TABLE} ({columns})")


def record(
    connection: duckdb.DuckDBPyConnection,
    decisions: Iterable[Decision],
    recorded_at: datetime | None = None,
) -> list[str]:
    """Append `decisions` in one transaction (all or none); their ids, in order.

    One batch shares its recording time; the ids keep their order among equal times, so the
    later line of a batch on the same subject is the one in effect.
    """
    ensure_table(connection)
    when = recorded_at or datetime.now(UTC)
    stamp = uuid.uuid1().hex[:12]
    ids = []
    names = [name for name, _ in COLUMNS]
    placeholders = ", ".join("?" for _ in names)
    with transaction(connection):
        for index, decision in enumerate(decisions):
            correction_id = f"{when:%Y%m%dT%H%M%S}-{stamp}-{index:05d}"
            row = {"correction_id": correction_id, "recorded_at": when, **decision.as_row()}
            connection.execute(
                f"insert into {TABLE} ({', '.join(names)}) values ({placeholders})",
                [row[name] for name in names],
            )
            ids.append(correction_id)
    return ids


def known_codes(connection: duckdb.DuckDBPyConnection) -> Collection[str]:
    """Call type codes already classified: the seed's and the stewards' new codes."""
    with SEED_CALL_TYPES.open(newline="", encoding="utf-8") as seed:
        codes = {normalized_code(row["type_code"]) for row in csv.DictReader(seed)}
    if table_exists(connection, TABLE):
        codes |= {
            code
            for (code,) in connection.execute(
                f"select distinct code from {TABLE} where kind = 'new_code'"
            ).fetchall()
        }
    return codes


def decisions_of(connection: duckdb.DuckDBPyConnection, dataset: str) -> list[dict[str, object]]:
    """Every decision recorded for `dataset`, oldest first, each with its `status`: `in
    effect` (the last dbt build applied it), `superseded` (a later decision on its subject
    replaced it) or `recorded, not built yet`."""
    if not table_exists(connection, TABLE):
        return []
    applied = (
        f"c.correction_id in (select correction_id from {IN_EFFECT_TABLE})"
        if table_exists(connection, IN_EFFECT_TABLE)
        else "false"
    )
    cursor = connection.execute(
        f"""
        select c.*, case
            when {applied} then 'in effect'
            when exists (
                select 1 from {TABLE} as later
                where later.kind = c.kind and later.dataset = c.dataset
                    and later.subject = c.subject
                    and (later.recorded_at, later.correction_id)
                        > (c.recorded_at, c.correction_id)
            ) then 'superseded'
            else 'recorded, not built yet'
        end as status
        from {TABLE} as c
        where c.dataset = ?
        order by c.recorded_at, c.correction_id
        """,
        [dataset],
    )
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
