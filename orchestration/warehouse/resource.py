"""The warehouse resource: the one place Python code opens the DuckDB file.

DuckDB takes one writer per file and refuses readers while a writer holds it, so every
connection is opened for the duration of one unit of work and closed right after; nothing
keeps a handle between steps.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import duckdb
from pydantic import Field


class WarehouseResource(dg.ConfigurableResource):
    """The DuckDB file holding raw, staging, marts, quarantine, the publish ledger and audit."""

    path: str = Field(
        description="Path of the DuckDB file. profiles.yml reads the same WAREHOUSE_PATH.",
    )

    @contextmanager
    def connect(self, *, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        """Open the warehouse for one unit of work and always close it afterwards."""
        if not read_only:
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        connection = duckdb.connect(self.path, read_only=read_only)
        try:
            yield connection
        finally:
            connection.close()
