"""Every use of a private dagster-dbt or dbt API, in one place.

The platform leans on four things its libraries do not promise to keep. Each is named here,
with why, so an upgrade of dagster-dbt, dbt-core or dbt-duckdb has one file to read, and
tests/transform/test_compat.py imports each of them: an upgrade that removes one fails that
test instead of a night's run.
"""

from __future__ import annotations

import importlib.metadata
from collections.abc import Iterator
from functools import cached_property
from typing import Any

from dagster_dbt import DbtCliResource

# dagster-dbt's own per-event function behind `fetch_column_metadata()`: calling it per model
# keeps the column lineage exactly dagster-dbt's while orchestration.transform.column_metadata
# decides which models need it derived again. `DbtEventIterator`: see events_with_row_counts.
from dagster_dbt.core.dbt_event_iterator import DbtEventIterator, _fetch_column_metadata
from packaging import version

__all__ = [
    "LocalDbtCliResource",
    "column_metadata_of_event",
    "events_with_row_counts",
    "release_dbt_duckdb_handles",
]


def column_metadata_of_event(invocation: Any, event: Any) -> dict[str, Any]:
    """Column schema and lineage of one built model's event, as dagster-dbt derives them."""
    return _fetch_column_metadata(invocation, event, True) or {}


def events_with_row_counts(invocation: Any) -> Iterator[Any]:
    """dbt's events once its process has finished, with the built tables' row counts.

    `stream().fetch_row_counts()` hands the live event stream to dagster's `imap`, whose
    consumer loop polls its futures without waiting while the queue is empty: for as long as
    dbt runs (for DuckDB the stream is drained before any row is counted), that loop holds a
    core and contends for the GIL with the thread parsing dbt's output. Draining the stream
    here first gives `imap` a finished list, so nothing spins. Events, row counts and a failed
    build's error come out as before: every event dbt emitted, then the error.

    `DbtEventIterator` (the wrapper `stream()` returns) is not exported by dagster-dbt.
    """
    finished: list[Any] = []
    error: BaseException | None = None
    try:
        finished.extend(invocation.stream())
    except Exception as raised:  # re-raised below, after the events before it
        error = raised
    # dbt's output can end before its process has exited and let go of the warehouse file;
    # the row counts and column metadata below open that file from this process.
    invocation.process.wait()
    yield from DbtEventIterator(iter(finished), dbt_cli_invocation=invocation).fetch_row_counts()
    if error is not None:
        raise error


class LocalDbtCliResource(DbtCliResource):
    """DbtCliResource that reads dbt's version from the installed package.

    dagster-dbt learns the version by running `dbt --version` once per step (its private
    `_cli_version`), and that command always asks the package index for the latest release.
    A privacy project does not call out on every run, and the answer is already in the
    installed package's metadata.
    """

    @cached_property
    def _cli_version(self) -> version.Version:
        return version.parse(importlib.metadata.version("dbt-core"))


def release_dbt_duckdb_handles() -> None:
    """Close the DuckDB handle dagster-dbt's adapter keeps open in this process.

    After row counts and column metadata are fetched, dbt-duckdb holds a connection to the
    warehouse in a process-wide environment (its private `_ENV`, guarded by `_LOCK`); the next
    `duckdb.connect` of the same file in this process (the contract check, the publisher)
    would fail on the conflicting handle.
    """
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager

    with DuckDBConnectionManager._LOCK:
        environment = DuckDBConnectionManager._ENV
        if environment is not None:
            environment.close()
            DuckDBConnectionManager._ENV = None
