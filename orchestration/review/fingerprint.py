"""The fingerprint of a staged publish plan: what a steward approves.

It hashes, in the order they are sent, each row's action, identifier and content hash (the
same hash the ledger keeps), with the dataset and day. Two plans share a fingerprint exactly
when they would send the same rows with the same content; a change at the source after an
approval (a reclassification, a closure, a withdrawal) changes it, so the approval no longer
matches and the day is pending again.
"""

from __future__ import annotations

from datetime import date

import duckdb

from orchestration.publishing.plan import PLAN_TABLE

FINGERPRINT_LENGTH = 16  # hex digits shown and typed by stewards: 64 bits


def plan_fingerprint(connection: duckdb.DuckDBPyConnection, dataset_id: str, day: date) -> str:
    """The fingerprint of the plan staged in the connection (`publishing.plan`)."""
    (digest,) = connection.execute(
        f"""
        select sha256(? || '|' || ? || '|' || coalesce(string_agg(
            _action || ':' || _row_id || ':' || coalesce(_hash, ''), ',' order by _seq
        ), ''))
        from {PLAN_TABLE}
        """,
        [dataset_id, day.isoformat()],
    ).fetchone()
    return str(digest)[:FINGERPRINT_LENGTH]
