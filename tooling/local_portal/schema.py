"""How the portal lays its datasets out in DuckDB, in one place.

One file, `DATA_DIR/portal.duckdb`, holds a table per dataset (`ds_<id with _ for ->`) and the
`portal_datasets` table of view metadata. A dataset table has Socrata's system fields
`:id` (opaque text, `row-xxxx-xxxx-xxxx`, see row_ids.py), `:created_at` and `:updated_at`
(naive UTC timestamps at millisecond precision, as Socrata renders them, so a watermark read
back compares exactly)
and one VARCHAR column per field: Socrata hands every value out as text, so the portal
stores text and types values only when a query compares them.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

import duckdb

from tooling.local_portal.soql import quote_identifier

DB_FILE = "portal.duckdb"
DATASET_ID_RE = re.compile(r"[a-z0-9]{4}-[a-z0-9]{4}")

METADATA_DDL = (
    """
    CREATE TABLE IF NOT EXISTS portal_datasets (
        id VARCHAR PRIMARY KEY,
        view VARCHAR NOT NULL,
        created_at DOUBLE NOT NULL,
        rows_updated_at DOUBLE NOT NULL,
        view_last_modified DOUBLE NOT NULL,
        source VARCHAR
    )
    """,
    "CREATE SEQUENCE IF NOT EXISTS portal_row_seq START 1",
)


def table_name(dataset_id: str) -> str:
    """The unquoted table name of a dataset id already checked against DATASET_ID_RE."""
    return "ds_" + dataset_id.replace("-", "_")


def create_table_sql(table: str, fields: list[str]) -> str:
    columns = [
        f"{quote_identifier(':id')} VARCHAR NOT NULL",
        f"{quote_identifier(':created_at')} TIMESTAMP NOT NULL",
        f"{quote_identifier(':updated_at')} TIMESTAMP NOT NULL",
        *(f"{quote_identifier(name)} VARCHAR" for name in fields),
    ]
    return f"CREATE TABLE {quote_identifier(table)} ({', '.join(columns)})"


def utc_now() -> datetime:
    """Now as the store keeps it: naive UTC, truncated to milliseconds."""
    now = datetime.now(UTC).replace(tzinfo=None)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


def epoch_seconds(moment: datetime) -> float:
    return moment.replace(tzinfo=UTC).timestamp()


def scalar_count(cursor: duckdb.DuckDBPyConnection, sql: str, params: object = None) -> int:
    """The one number a statement answers: a count, or the rows a DELETE/UPDATE/INSERT hit."""
    row = cursor.execute(sql, params).fetchone()
    return int(row[0]) if row else 0
