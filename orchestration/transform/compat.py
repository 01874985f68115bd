"""Every use of a private dagster-dbt or dbt API, in one place.

The platform leans on things its libraries do not promise to keep: dagster-dbt's per-event
column metadata function, its resource's `_cli_version` and `_initialize_dbt_core_adapter`,
its invocation's `DbtCliInvocation.run` and `_stream_stdout` (to run dbt in this process),
dbt's console-log capture, and dbt-duckdb's process-wide DuckDB handle. Each is named here,
with why, so an upgrade of dagster-dbt, dbt-core or dbt-duckdb has one file to read, and
tests/transform/test_compat.py imports each of them: an upgrade that removes one fails that
test instead of a night's run.
"""

from __future__ import annotations

import contextlib
import functools
import importlib.metadata
import logging
import shutil
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import dagster_dbt.core.resource as dagster_dbt_resource
from dagster_dbt import DbtCliResource
from dagster_dbt.core.dbt_cli_invocation import DbtCliInvocation, _get_dbt_target_path

# dagster-dbt's own per-event function behind `fetch_column_metadata()`: calling it per model
# keeps the column lineage exactly dagster-dbt's while orchestration.transform.column_metadata
# decides which models need it derived again. `DbtEventIterator`: see events_with_row_counts.
from dagster_dbt.core.dbt_event_iterator import DbtEventIterator, _fetch_column_metadata
from packaging import version
from pydantic import Field

from orchestration.transform.in_process import DbtInProcess

log = logging.getLogger(__name__)

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
    """DbtCliResource that reads dbt's version from the installed package and runs dbt in the
    step's own process.

    dagster-dbt learns the version by running `dbt --version` once per step (its private
    `_cli_version`), and that command always asks the package index for the latest release.
    A privacy project does not call out on every run, and the answer is already in the
    installed package's metadata.

    With `in_process` (the default), `cli()` keeps everything dagster-dbt decides (arguments,
    environment, target folder, event stream) and swaps only its `subprocess.Popen` for
    `DbtInProcess` (orchestration/transform/in_process.py): dagster-dbt builds its invocation
    through the module-level name `DbtCliInvocation`, which offers no other seam.
    """

    in_process: bool = Field(
        default=True,
        description="Run dbt on a thread of the step's process instead of a new process.",
    )

    @cached_property
    def _cli_version(self) -> version.Version:
        return version.parse(importlib.metadata.version("dbt-core"))

    def cli(self, args, **kwargs):
        if not self.in_process:
            return super().cli(args, **kwargs)
        with _invocations_in_process():
            invocation = super().cli(args, **kwargs)
        invocation.open_adapter = functools.partial(self._adapter_after_dbt, args)
        return invocation

    def _initialize_dbt_core_adapter(self, args) -> Any:
        # dbt in this process resets the adapters when it starts: one opened before it would
        # be dead by the end, so the in-process invocation opens its own after dbt
        # (`_adapter_after_dbt`), and none is opened before (a second of Jinja per step).
        if getattr(_SWAPPED, "active", False):
            return None
        return super()._initialize_dbt_core_adapter(args)

    def _adapter_after_dbt(self, args) -> Any:
        """dagster-dbt's handle on dbt's adapter, opened again once dbt has finished.

        dbt resets the process's adapters when it starts and closes them when it ends, so the
        handle dagster-dbt opened before the build is dead by the time it counts rows. dbt's
        read-write DuckDB handle is let go first: dagster-dbt's opens the file read-only.
        """
        release_dbt_duckdb_handles()
        try:
            with contextlib.chdir(self.project_dir):
                return self._initialize_dbt_core_adapter(args)
        except Exception:
            # As dagster-dbt does when it cannot open one: the build stands, uncounted.
            log.warning("could not open dbt's adapter after the build", exc_info=True)
            return None


@dataclass
class InProcessDbtCliInvocation(DbtCliInvocation):
    """dagster-dbt's invocation, its process a `DbtInProcess` instead of a `subprocess.Popen`,
    its adapter opened again once dbt's output has ended (`open_adapter`)."""

    open_adapter: Callable[[], Any] | None = field(default=None, repr=False)

    @classmethod
    def run(cls, args, env, manifest, dagster_dbt_translator, project_dir, target_path, **rest):
        # As dagster-dbt does: start from the project's saved parse when the target has none.
        project_parse = project_dir / _get_dbt_target_path() / PARTIAL_PARSE_FILE
        target_parse = target_path / PARTIAL_PARSE_FILE
        if project_parse.is_file() and not target_parse.exists():
            target_parse.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(project_parse, target_parse)
        # A dbt process started in the project folder finds the profiles there; dbt in this
        # process would look in the working directory, then in ~/.dbt.
        if "DBT_PROFILES_DIR" not in env and (project_dir / "profiles.yml").is_file():
            env = {**env, "DBT_PROFILES_DIR": str(project_dir)}
        invocation = cls(
            process=DbtInProcess(args, env),  # type: ignore[arg-type]
            manifest=manifest,
            project=rest.pop("dbt_project", None),
            dagster_dbt_translator=dagster_dbt_translator,
            project_dir=project_dir,
            target_path=target_path,
            **rest,
        )
        log.info("Running dbt in this process: `%s`.", invocation.dbt_command)
        return invocation

    def _stream_stdout(self):
        yield from super()._stream_stdout()
        self.process.wait()
        if self.open_adapter is not None:
            self.adapter, self.open_adapter = self.open_adapter(), None


PARTIAL_PARSE_FILE = "partial_parse.msgpack"
_SWAPPING = threading.Lock()
_SWAPPED = threading.local()  # `active` while this thread's `cli()` runs swapped


@contextmanager
def _invocations_in_process() -> Iterator[None]:
    with _SWAPPING:
        original = dagster_dbt_resource.DbtCliInvocation
        dagster_dbt_resource.DbtCliInvocation = InProcessDbtCliInvocation
        _SWAPPED.active = True
        try:
            yield
        finally:
            _SWAPPED.active = False
            dagster_dbt_resource.DbtCliInvocation = original


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
