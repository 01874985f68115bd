"""Timing a command as a child process, with the child's own peak memory.

Both sides of a comparison run as child processes, so each timing includes what running it
for real includes (interpreter start, imports, dbt's parse), and `os.wait4` hands back the
resource usage of that one child: its peak RSS is not mixed up with the portal and loader
that built the span in this process, nor with children that ran before it.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

# A privacy project does not phone home, while being measured either.
NO_TELEMETRY = {
    "DO_NOT_TRACK": "1",
    "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    "SODA_CORE_TELEMETRY_ENABLED": "false",
}
# ru_maxrss is in KiB on Linux, in bytes on macOS.
RSS_UNITS_PER_MIB = 1024 * 1024 if sys.platform == "darwin" else 1024
PAGE_BYTES = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


@dataclass(frozen=True)
class Measured:
    """A finished child: exit status, wall seconds, peak resident memory, where it logged.

    `peak_rss_mib` is the larger of the biggest single process (the kernel's count at exit)
    and the most the child and its descendants held together (sampled every 100 ms): a
    Dagster run starts dbt as a process of its own, and both hold memory at once.
    """

    returncode: int
    seconds: float
    peak_rss_mib: float
    log: Path

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    def tail(self, lines: int = 20) -> str:
        """The end of the child's output, for an error message."""
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return "\n".join(text.splitlines()[-lines:])


def child_environment(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """This environment, telemetry off, the venv's tools first on PATH."""
    env = {**os.environ, **NO_TELEMETRY, **(extra or {})}
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    return env


def _children(pid: int) -> list[int]:
    try:
        tasks = Path(f"/proc/{pid}/task").iterdir()
        return [int(child) for task in tasks for child in (task / "children").read_text().split()]
    except OSError:
        return []


def tree_rss_mib(pid: int) -> float:
    """Resident memory of a process and all its descendants now (Linux /proc), in MiB."""
    total = 0
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            pages = int(Path(f"/proc/{current}/statm").read_text().split()[1])
        except (OSError, IndexError, ValueError):
            continue
        total += pages * PAGE_BYTES
        pending += _children(current)
    return total / 2**20


class TreeSampler:
    """Samples a process tree's resident memory in a thread until stopped; keeps the peak."""

    def __init__(self, pid: int, interval_s: float = 0.1) -> None:
        self.pid = pid
        self.interval_s = interval_s
        self.peak_mib = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak_mib = max(self.peak_mib, tree_rss_mib(self.pid))
            self._stop.wait(self.interval_s)

    def __enter__(self) -> TreeSampler:
        if sys.platform.startswith("linux"):
            self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()


def run_measured(
    command: list[str],
    *,
    cwd: Path,
    log: Path,
    env: Mapping[str, str] | None = None,
) -> Measured:
    """Run `command` to completion, output to `log`; time it and read its peak RSS."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as output:
        started = time.perf_counter()
        process = subprocess.Popen(
            command,
            cwd=cwd,
            env=child_environment(env),
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        with TreeSampler(process.pid) as sampler:
            _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
    peak = max(usage.ru_maxrss / RSS_UNITS_PER_MIB, sampler.peak_mib)
    return Measured(process.returncode, seconds, peak, log)
