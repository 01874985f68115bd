"""The private dagster-dbt and dbt APIs the platform leans on still exist where compat expects.

An upgrade that moves one of them fails here, naming it, rather than in a night's run.
"""

from __future__ import annotations

import inspect

import pytest


def test_dagster_dbt_still_has_its_per_event_column_metadata_function():
    from dagster_dbt.core.dbt_event_iterator import _fetch_column_metadata

    parameters = list(inspect.signature(_fetch_column_metadata).parameters)
    assert len(parameters) == 3, parameters


def test_dagster_dbt_resource_still_learns_dbt_version_from_cli_version():
    from functools import cached_property

    from dagster_dbt import DbtCliResource

    assert isinstance(inspect.getattr_static(DbtCliResource, "_cli_version"), cached_property)


def test_dbt_duckdb_still_keeps_its_process_wide_environment_behind_a_lock():
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager

    assert hasattr(DuckDBConnectionManager, "_ENV")
    assert hasattr(DuckDBConnectionManager._LOCK, "__enter__")


def test_local_dbt_resource_reads_the_installed_dbt_version():
    import importlib.metadata

    from orchestration.transform.compat import LocalDbtCliResource
    from orchestration.transform.project import DBT_EXECUTABLE, dbt_project

    resource = LocalDbtCliResource(project_dir=dbt_project, dbt_executable=DBT_EXECUTABLE)
    assert str(resource._cli_version) == importlib.metadata.version("dbt-core")


def test_releasing_dbt_duckdb_handles_is_safe_without_any_open():
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager

    from orchestration.transform.compat import release_dbt_duckdb_handles

    release_dbt_duckdb_handles()
    assert DuckDBConnectionManager._ENV is None


class _ExitingProcess:
    """A dbt process whose output has ended; it has exited once waited for."""

    exited = False

    def wait(self):
        self.exited = True
        return 0


class _FinishedInvocation:
    """What dagster-dbt's row-count wrapper reads of an invocation, for events it skips."""

    is_fusion = False
    adapter = None
    postprocessing_threadpool_num_threads = 2

    def __init__(self, events, error=None):
        self._events, self._error = events, error
        self.process = _ExitingProcess()

    def stream(self):
        yield from self._events
        if self._error is not None:
            raise self._error


def test_dagster_dbt_event_iterator_still_wraps_an_iterator_and_an_invocation():
    from dagster_dbt.core.dbt_event_iterator import DbtEventIterator

    parameters = list(inspect.signature(DbtEventIterator.__init__).parameters)
    assert parameters == ["self", "events", "dbt_cli_invocation"]


def test_events_with_row_counts_yields_every_event_in_dbts_order():
    from orchestration.transform.compat import events_with_row_counts

    events = [f"event {n}" for n in range(50)]
    assert list(events_with_row_counts(_FinishedInvocation(events))) == events


def test_a_failed_build_yields_the_events_before_its_error_then_raises_it():
    from orchestration.transform.compat import events_with_row_counts

    seen = []
    failure = RuntimeError("dbt build failed")
    with pytest.raises(RuntimeError, match="dbt build failed"):
        for event in events_with_row_counts(_FinishedInvocation(["a", "b"], failure)):
            seen.append(event)
    assert seen == ["a", "b"]


def test_the_dbt_process_has_exited_before_any_event_is_handed_on():
    """Row counts and column metadata open the warehouse file after the events: dbt must have
    let go of it first."""
    from orchestration.transform.compat import events_with_row_counts

    invocation = _FinishedInvocation(["a"])
    next(iter(events_with_row_counts(invocation)))
    assert invocation.process.exited


def test_dagster_dbt_resource_still_builds_its_invocation_through_the_module_name():
    """`LocalDbtCliResource` runs dbt in process by swapping that name for the call."""
    import dagster_dbt.core.resource as resource
    from dagster_dbt.core.dbt_cli_invocation import DbtCliInvocation

    assert resource.DbtCliInvocation is DbtCliInvocation
    parameters = set(inspect.signature(DbtCliInvocation.run).parameters)
    assert {"args", "env", "manifest", "project_dir", "target_path", "adapter"} <= parameters


def test_dagster_dbt_invocation_still_streams_from_a_process_stdout():
    from dagster_dbt.core.dbt_cli_invocation import DbtCliInvocation

    assert callable(DbtCliInvocation._stream_stdout)
    assert "process" in DbtCliInvocation.__dataclass_fields__


def test_dbt_still_lets_a_caller_capture_its_console_log():
    from dbt_common.events.functions import capture_stdout_logs, stop_capture_stdout_logs

    assert callable(capture_stdout_logs) and callable(stop_capture_stdout_logs)
