"""One run at a time holds the warehouse, however the runs were launched.

DuckDB lets one process write a file and refuses every other process (readers too) while it
does. A run touches the file in several steps, and its dbt step opens it from a child
process the platform's Python code does not control, so retrying DuckDB's own lock around
each connection is not enough: a second run would slip in between two steps of the first, or
its dbt build would meet the first run's lock and fail. Dagster's run queue and the
`warehouse` pool keep runs apart in a deployed instance, but two `dagster job execute`
commands, a test or a second instance do not go through them.

So a run holds an advisory lock on a file beside the warehouse (`<warehouse>.lock`,
`flock`) from its first step to its end. A run that finds it held waits, with a backoff
and a log line per wait saying which run holds it, up to a bound, and then fails with a
clear error. The kernel drops the lock when the holding process dies, so a killed run never
leaves the warehouse locked.

The lock belongs to the process (`hold()` / `let_go()` count the holders in it): a run
process (`dagster job execute`, the daemon's run worker) holds it until its run's resources
are dropped or it exits, and a process that executes several runs one after another (a
test session) does not wait for itself.
"""

from __future__ import annotations

import fcntl
import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

FIRST_WAIT_S = 0.2
LONGEST_WAIT_S = 10.0


class WarehouseBusyError(TimeoutError):
    """Another run held the warehouse for longer than this run was willing to wait."""


def lock_path_of(warehouse_path: str | Path) -> Path:
    return Path(f"{warehouse_path}.lock")


@dataclass
class RunLock:
    """The held lock; `release()` lets the next run in."""

    path: Path
    _handle: IO[str] | None = field(default=None, repr=False)

    def release(self) -> None:
        if self._handle is None:
            return
        try:
            fcntl.flock(self._handle, fcntl.LOCK_UN)
        finally:
            self._handle.close()
            self._handle = None


def _holder(handle: IO[str]) -> str:
    handle.seek(0)
    return handle.read().strip() or "another process"


def acquire_run_lock(
    warehouse_path: str | Path,
    holder: str,
    *,
    timeout_s: float,
    log: logging.Logger,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> RunLock:
    """Hold the warehouse for `holder` (a run id), waiting up to `timeout_s` for another run."""
    path = lock_path_of(warehouse_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = open(path, "a+")  # noqa: SIM115 - held until release()
    started = clock()
    wait_s = FIRST_WAIT_S
    while True:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            break
        except BlockingIOError:
            waited = clock() - started
            if waited >= timeout_s:
                other = _holder(handle)
                handle.close()
                raise WarehouseBusyError(
                    f"the warehouse {warehouse_path} was still held by {other} after "
                    f"{waited:.0f} s; giving up (lock_timeout_s={timeout_s:g})"
                ) from None
            log.info(
                f"the warehouse is held by {_holder(handle)}; waiting {wait_s:.1f} s "
                f"({waited:.0f} s waited so far, at most {timeout_s:g} s)"
            )
            sleep(min(wait_s, max(timeout_s - waited, 0.0)))
            wait_s = min(wait_s * 2, LONGEST_WAIT_S)
    handle.seek(0)
    handle.truncate()
    handle.write(f"{holder} (pid {os.getpid()})")
    handle.flush()
    return RunLock(path, handle)


_held: dict[Path, tuple[RunLock, int]] = {}
_held_guard = threading.Lock()


def hold(warehouse_path: str | Path, holder: str, *, timeout_s: float, log: logging.Logger) -> None:
    """Hold the warehouse for this process (once more, if it already holds it)."""
    key = lock_path_of(warehouse_path).resolve()
    with _held_guard:
        if key in _held:
            lock, holders = _held[key]
            _held[key] = (lock, holders + 1)
            return
        _held[key] = (
            acquire_run_lock(warehouse_path, holder, timeout_s=timeout_s, log=log),
            1,
        )


def let_go(warehouse_path: str | Path) -> None:
    """One holder in this process is done; the last one releases the warehouse."""
    key = lock_path_of(warehouse_path).resolve()
    with _held_guard:
        if key not in _held:
            return
        lock, holders = _held.pop(key)
        if holders > 1:
            _held[key] = (lock, holders - 1)
        else:
            lock.release()


def release_when_finished(
    instance: object, run_id: str, release: Callable[[], object], poll_s: float = 1.0
) -> threading.Thread:
    """Call `release` once the instance records the run as finished (a daemon thread).

    A run process exits at the end of its run and the kernel frees the lock with it; this is
    for a process that executes a run and lives on (a test session, a notebook).
    """

    def watch() -> None:
        while True:
            try:
                run = instance.get_run_by_id(run_id)  # type: ignore[attr-defined]
            except Exception:  # the instance went away with its process
                return
            if run is None or run.is_finished:
                release()
                return
            time.sleep(poll_s)

    watcher = threading.Thread(target=watch, name=f"warehouse-lock-{run_id[:8]}", daemon=True)
    watcher.start()
    return watcher
