"""DuckDB's own account of what a statement read: the rows of every table scan.

DuckDB skips a row group its zone maps rule out and reads nothing for a table a statement
does not touch, so its detailed profile tells a test whether a step read a few days' rows
or a whole history, without timing anything.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

import duckdb


class Scan(NamedTuple):
    """One table scan of a statement: the table, the rows it went through and the columns
    it read (none when a statement reaches rows by rowid alone)."""

    table: str
    rows: int
    columns: str


class ProfiledConnection:
    """A DuckDB connection that keeps, for every statement it ran, the rows each table scan
    read (DuckDB's detailed JSON profile, written to a file per statement). DuckDB skips a
    row group its zone maps rule out, so a scan bound to a few days reads few row groups."""

    def __init__(self, connection: duckdb.DuckDBPyConnection, profile: Path) -> None:
        self._connection = connection
        self._profile = profile
        self.scans: list[Scan] = []  # every scan of every statement
        connection.execute("set enable_profiling = 'json'")
        connection.execute("set profiling_mode = 'detailed'")
        connection.execute("set profiling_coverage = 'ALL'")
        connection.execute(f"set profiling_output = '{profile}'")

    def execute(self, query: str, parameters: Any = None) -> duckdb.DuckDBPyConnection:
        self._profile.unlink(missing_ok=True)
        result = self._connection.execute(query, parameters)
        if self._profile.exists():  # statements that plan no query write no profile
            self.scans.extend(_scans(json.loads(self._profile.read_text())))
        return result

    @property
    def scanned(self) -> list[tuple[str, int]]:
        """(table, rows read) of every scan."""
        return [(scan.table, scan.rows) for scan in self.scans]

    def __getattr__(self, name: str) -> Any:
        return getattr(self._connection, name)


def _scans(profile: dict[str, Any]) -> Iterator[Scan]:
    nodes = list(profile.get("operator", []))
    while nodes:
        node = nodes.pop()
        nodes.extend(node.get("children", []))
        info = node.get("extra_info", {})
        table = info.get("Table")
        if node.get("type") == "TABLE_SCAN" and table:
            columns = info.get("Projections", "")
            columns = ", ".join(columns) if isinstance(columns, list) else columns
            yield Scan(table.split(".", 1)[-1], int(node.get("rows_scanned", 0)), columns)
