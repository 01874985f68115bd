"""Writing SQL by hand safely: quoting names and texts, and one transaction per unit of work.

Values are bound as parameters wherever DuckDB allows it; what cannot be bound (a column
name, the path handed to `read_csv`, a key of a struct literal) is quoted here. SoQL writes
its string literals the same way (a quote inside is doubled), so a `$where` uses
`quote_literal` too; SoQL names are not quoted like SQL's, so never `quote_identifier`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import duckdb


def quote_identifier(name: str) -> str:
    """`name` as a SQL identifier: in double quotes, a double quote inside doubled."""
    return '"' + name.replace('"', '""') + '"'


def quote_literal(value: object) -> str:
    """The text of `value` as a SQL string literal: in single quotes, a quote inside doubled."""
    return "'" + str(value).replace("'", "''") + "'"


@contextmanager
def transaction(connection: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """Run the block in one transaction: commit if it finishes, roll back if it raises.

    The exception (an interrupt too) is raised again once the transaction is rolled back.
    """
    connection.execute("begin transaction")
    try:
        yield
        connection.execute("commit")
    except BaseException:
        connection.execute("rollback")
        raise


def table_exists(connection: duckdb.DuckDBPyConnection, qualified: str) -> bool:
    """Whether `schema.table` (a table or a view) is in the warehouse."""
    schema, table = qualified.split(".")
    (found,) = connection.execute(
        "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
        [schema, table],
    ).fetchone()
    return bool(found)
