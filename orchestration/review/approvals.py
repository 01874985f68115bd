"""Stewards' release approvals, in the warehouse beside their corrections.

`stewards.release_approvals` holds one row per approval: the dataset and local day, the
fingerprint of the publish plan the steward reviewed (orchestration/review/fingerprint.py),
who approved, when and why, and the approving run. Rows are only ever added: an approval of
an older fingerprint stays as the record of what was approved then.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import duckdb

APPROVALS_TABLE = "stewards.release_approvals"


@dataclass(frozen=True)
class Approval:
    dataset: str
    day: date
    fingerprint: str
    approved_by: str
    approved_at: datetime
    reason: str
    run_id: str


def ensure_approvals(connection: duckdb.DuckDBPyConnection) -> None:
    connection.execute("create schema if not exists stewards")
    connection.execute(
        f"""
        create table if not exists {APPROVALS_TABLE} (
            dataset varchar not null,
            day date not null,
            fingerprint varchar not null,
            approved_by varchar not null,
            approved_at timestamptz not null,
            reason varchar not null,
            run_id varchar not null
        )
        """
    )


def record_approval(connection: duckdb.DuckDBPyConnection, approval: Approval) -> None:
    ensure_approvals(connection)
    connection.execute(
        f"insert into {APPROVALS_TABLE} values (?, ?, ?, ?, ?, ?, ?)",
        [
            approval.dataset,
            approval.day,
            approval.fingerprint,
            approval.approved_by,
            approval.approved_at,
            approval.reason,
            approval.run_id,
        ],
    )


def approval_of(
    connection: duckdb.DuckDBPyConnection, dataset: str, day: date, fingerprint: str
) -> Approval | None:
    """The latest approval of exactly these rows of the day, if a steward gave one."""
    ensure_approvals(connection)
    row = connection.execute(
        f"select dataset, day, fingerprint, approved_by, approved_at, reason, run_id "
        f"from {APPROVALS_TABLE} where dataset = ? and day = ? and fingerprint = ? "
        "order by approved_at desc limit 1",
        [dataset, day, fingerprint],
    ).fetchone()
    return Approval(*row) if row else None
