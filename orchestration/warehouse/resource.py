"""The warehouse resource: the one place Python code opens the DuckDB file.

DuckDB takes one writer per file and refuses readers while a writer holds it, so every
connection is opened for the duration of one unit of work and closed right after; nothing
keeps a handle between steps.

Two runs must not interleave on the file (see `run_lock.py`): a run holds the warehouse from
the moment Dagster sets this resource up for it until the instance records the run as
finished or Dagster drops the resource, whichever comes first (not `teardown_after_execution`:
a resource with a teardown must be opened as a context manager wherever it is built, sensors
and tests included). Outside a run
(the failure sensor, a script) there is no run lock, and `connect()` waits out DuckDB's own
file lock instead, with a bounded, logged backoff, rather than failing at the first
collision.
"""

from __future__ import annotations

import logging
import re
import time
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import duckdb
from pydantic import Field, PrivateAttr

from orchestration.warehouse import run_lock

DUCKDB_LOCK_MESSAGE = "Could not set lock"
# DuckDB's buffer pool defaults to 80 % of the machine's memory and keeps every block a
# process wrote cached up to it, so a long backfill's memory would grow with the history.
# profiles.yml bounds dbt's connection alike (a test keeps the two equal).
DEFAULT_MEMORY_LIMIT = "2GB"
_MEMORY_LIMIT = re.compile(r"^\d+(\.\d+)?\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)$")

log = logging.getLogger(__name__)


class WarehouseResource(dg.ConfigurableResource):
    """The DuckDB file holding raw, staging, marts, quarantine, the publish ledger and audit."""

    path: str = Field(
        description="Path of the DuckDB file. profiles.yml reads the same WAREHOUSE_PATH.",
    )
    run_lock_timeout_s: float = Field(
        default=6 * 3600.0,
        description="How long a run waits for another run to release the warehouse.",
    )
    file_lock_timeout_s: float = Field(
        default=300.0,
        description="How long connect() waits for DuckDB's lock held by a process outside a run.",
    )
    memory_limit: str = Field(
        default=DEFAULT_MEMORY_LIMIT,
        description="DuckDB's memory_limit for each connection (past it, DuckDB spills to disk).",
    )
    _release: weakref.finalize | None = PrivateAttr(default=None)

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        """A run holds the warehouse until it ends; sensors and schedules do not."""
        if context.run is None:
            return
        run_lock.hold(
            self.path,
            f"run {context.run.run_id}",
            timeout_s=self.run_lock_timeout_s,
            log=context.log or log,
        )
        self._release = weakref.finalize(self, run_lock.let_go, self.path)
        run_lock.release_when_finished(context.instance, context.run.run_id, self._release)

    @contextmanager
    def connect(
        self, *, read_only: bool = False, memory_limit: str | None = None
    ) -> Iterator[duckdb.DuckDBPyConnection]:
        """Open the warehouse for one unit of work and always close it afterwards.

        `memory_limit` overrides the resource's for a unit of work that needs less (the raw
        loader streams, and caching what it wrote would only grow its memory).
        """
        if not read_only:
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        connection = open_when_free(self.path, read_only, self.file_lock_timeout_s)
        try:
            limit_memory(connection, memory_limit or self.memory_limit)
            yield connection
        finally:
            connection.close()


def limit_memory(connection: duckdb.DuckDBPyConnection, memory_limit: str) -> None:
    """Bound the buffer pool of the connection's database (a setting of the whole instance)."""
    if not _MEMORY_LIMIT.match(memory_limit.strip()):
        raise ValueError(f"not a DuckDB memory limit: {memory_limit!r} (e.g. 2GB, 512MB)")
    connection.execute(f"set memory_limit = '{memory_limit.strip()}'")


def open_when_free(
    path: str, read_only: bool, timeout_s: float, *, sleep=time.sleep, clock=time.monotonic
) -> duckdb.DuckDBPyConnection:
    """`duckdb.connect`, retried with backoff while another process holds the file's lock."""
    started = clock()
    wait_s = run_lock.FIRST_WAIT_S
    while True:
        try:
            return duckdb.connect(path, read_only=read_only)
        except duckdb.IOException as error:
            waited = clock() - started
            if DUCKDB_LOCK_MESSAGE not in str(error) or waited >= timeout_s:
                raise
            dg.get_dagster_logger().info(
                f"the warehouse file is locked by another process; retrying in {wait_s:.1f} s "
                f"({waited:.0f} s waited so far, at most {timeout_s:g} s)"
            )
            sleep(min(wait_s, max(timeout_s - waited, 0.0)))
            wait_s = min(wait_s * 2, run_lock.LONGEST_WAIT_S)
