"""dbt run inside the step's own process, behind the interface of the process it replaces.

dagster-dbt starts every `dbt build` as a new Python process, and that process spends about
two seconds importing dbt, its adapter and their dependencies before it reads the project:
per dbt step of a run (the rule tables and one lane per source), every night, whatever the
size of the night. The step's process has imported all of that already, because dagster-dbt
opens dbt's adapter there to count the built rows. So the build runs here, on a thread, with
dbt's own programmatic entry point (`dbtRunner`).

Everything else stays dagster-dbt's: the arguments, environment and target folder it decides,
and the reading of dbt's structured log into Dagster events. `DbtInProcess` stands where its
`subprocess.Popen` stood: the same JSON lines on `stdout` (dbt's console logger, pointed at a
pipe through dbt's own capture hook, so level, format and secret scrubbing are the CLI's),
`args`, `wait()` and `returncode` with the CLI's exit codes.

What a process gave for free is kept by hand: dbt reads its flags and `env_var()` from
`os.environ`, so the invocation's environment is set for exactly as long as dbt runs, and one
dbt runs at a time in a process (dbt keeps flags, adapters and its event manager in module
state). A run is executed in one process, one step after the other (the in-process executor),
so steps never contend for the lock; a stop of the run stops dbt with the process.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Mapping, Sequence
from typing import IO

log = logging.getLogger(__name__)

# dbt's exit codes (dbt.cli.main.dbtRunnerResult, `dbt --help`): 0 success, 1 a node or test
# failed, 2 dbt itself failed (an unhandled error, a bad argument).
EXIT_SUCCESS = 0
EXIT_FAILURE = 1
EXIT_ERROR = 2

_ONE_DBT_AT_A_TIME = threading.Lock()


class DbtInProcess:
    """One dbt command running on a thread of this process, shaped like `subprocess.Popen`."""

    def __init__(self, args: Sequence[str], env: Mapping[str, str]) -> None:
        # args[0] is the dbt executable dagster-dbt would have started.
        self.args = list(args)
        self.returncode: int | None = None
        if not _ONE_DBT_AT_A_TIME.acquire(timeout=0):
            raise RuntimeError("another dbt command is running in this process")
        read_end, write_end = os.pipe()
        self.stdout: IO[bytes] = os.fdopen(read_end, "rb")
        self._log_stream = os.fdopen(write_end, "w", buffering=1, encoding="utf-8")
        self._environment_before = _apply_environment(env)
        self._thread = threading.Thread(target=self._run, name="dbt", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        from dbt.cli.main import dbtRunner
        from dbt_common.events.functions import capture_stdout_logs, stop_capture_stdout_logs

        capture_stdout_logs(self._log_stream)
        try:
            result = dbtRunner().invoke(self.args[1:])
            if result.success:
                self.returncode = EXIT_SUCCESS
            elif result.exception is None:
                self.returncode = EXIT_FAILURE
            else:
                self.returncode = EXIT_ERROR
                # The CLI prints what stopped it; dagster-dbt re-emits lines it cannot parse.
                self._log_stream.write(f"dbt failed: {result.exception!r}\n")
        except BaseException as error:
            self.returncode = EXIT_ERROR
            self._log_stream.write(f"dbt failed: {error!r}\n")
        finally:
            stop_capture_stdout_logs()
            _restore_environment(self._environment_before)
            self._log_stream.close()
            _ONE_DBT_AT_A_TIME.release()

    def poll(self) -> int | None:
        return None if self._thread.is_alive() else self.returncode

    def wait(self, timeout: float | None = None) -> int | None:
        self._thread.join(timeout)
        return self.poll()

    def send_signal(self, signal_number: int) -> None:
        """dbt on a thread cannot be interrupted; the run's process ends it when it exits."""
        log.warning(
            "dbt runs in this process and stops with it (signal %s not forwarded)", signal_number
        )


def _apply_environment(env: Mapping[str, str]) -> dict[str, str | None]:
    """Set the invocation's variables; what they were before, to restore."""
    changed = {name: value for name, value in env.items() if os.environ.get(name) != value}
    before = {name: os.environ.get(name) for name in changed}
    os.environ.update(changed)
    return before


def _restore_environment(before: Mapping[str, str | None]) -> None:
    for name, value in before.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
