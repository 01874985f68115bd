"""The publish ledger: what the portal holds of each public dataset, row by row.

One row per (dataset, row identifier) that is on the portal, with the hash of the content
sent, the local day it was published under, when and by which run. Publishing diffs a mart's
window against it instead of reading the portal back, and writes it chunk by chunk as the
portal accepts each chunk, so a publish killed half-way resumes where it stopped.
"""

from __future__ import annotations

import duckdb

from orchestration.warehouse.sql import transaction

LEDGER_TABLE = "publish.ledger"


def ensure_ledger(connection: duckdb.DuckDBPyConnection) -> None:
    connection.execute("create schema if not exists publish")
    connection.execute(
        f"""
        create table if not exists {LEDGER_TABLE} (
            dataset_id varchar not null,
            row_id varchar not null,
            day date not null,
            content_hash varchar not null,
            published_at timestamp not null,
            run_id varchar not null,
            primary key (dataset_id, row_id)
        )
        """
    )
    # DuckDB uses the primary key's index neither for a look-up by row_id alone nor for a
    # semi-join: this one lets a night look up its few new rows by identifier without
    # scanning the history's (publishing.plan._strays_known).
    connection.execute(f"create index if not exists ledger_row_id on {LEDGER_TABLE} (row_id)")


def ledger_rows(connection: duckdb.DuckDBPyConnection, dataset_id: str) -> dict[str, str]:
    """Row identifier -> content hash of what the ledger says the portal holds."""
    ensure_ledger(connection)
    return dict(
        connection.execute(
            f"select row_id, content_hash from {LEDGER_TABLE} where dataset_id = ?", [dataset_id]
        ).fetchall()
    )


def record_chunk(
    connection: duckdb.DuckDBPyConnection,
    plan_table: str,
    first: int,
    last: int,
    *,
    dataset_id: str,
    run_id: str,
    forget_first: bool = False,
) -> None:
    """Write plan rows `first..last` (by sequence) to the ledger, after the portal took them.

    Upserted rows are recorded with their hash; deleted rows leave the ledger. With
    `forget_first` (the first chunk of a replace) the dataset's old rows go first. One
    transaction, so the ledger never holds half a chunk.
    """
    with transaction(connection):
        if forget_first:
            connection.execute(f"delete from {LEDGER_TABLE} where dataset_id = ?", [dataset_id])
        connection.execute(
            f"""
            insert or replace into {LEDGER_TABLE}
            select ?, _row_id, _day, _hash, now()::timestamp, ?
            from {plan_table}
            where _seq between ? and ? and _action <> 'delete'
            """,
            [dataset_id, run_id, first, last],
        )
        connection.execute(
            f"""
            delete from {LEDGER_TABLE}
            where dataset_id = ? and row_id in (
                select _row_id from {plan_table}
                where _seq between ? and ? and _action = 'delete'
            )
            """,
            [dataset_id, first, last],
        )
