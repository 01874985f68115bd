"""Every published dataset's contract over a span, on one DuckDB connection, in a child process.

The gate's own code runs: each dataset's composed contract (its YAML plus the source gate's
checks) with the variables the asset check passes for the window, verified by Soda on one
read-only connection. It runs as `python -m tooling.benchmark.contracts`, a child of the
bench, so its time and peak memory are measured like dbt's (see `measure`), and it prints one
JSON line: seconds per contract and every check's outcome.

The warehouse must not be open elsewhere meanwhile: DuckDB refuses a reader while a writer
holds the file, so the bench runs this only after dbt has exited.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from tooling.benchmark.measure import Measured, run_measured

if TYPE_CHECKING:  # the child imports no more than verifying needs: its imports are timed
    from tooling.benchmark.span import Span

RESULT_PREFIX = "CONTRACTS "


@dataclass(frozen=True)
class ContractRun:
    """One contract's verification: how long, and how its checks came out."""

    dataset: str
    seconds: float
    outcomes: dict[str, int]  # outcome (PASSED, FAILED, WARN, ...) -> checks
    failed_checks: list[str]
    errors: list[str]


def verify_all(warehouse: Path, window_start: date, window_end: date) -> list[ContractRun]:
    """Verify every published dataset's contract for [start, end) on one connection."""
    import duckdb

    from orchestration.catalog import PUBLISHED_DATASETS
    from orchestration.partitions import DayWindow
    from orchestration.quality.gate import composed_contract, contract_variables
    from orchestration.quality.soda import contract_path, verify

    window = DayWindow(window_start, window_end)
    runs = []
    connection = duckdb.connect(str(warehouse), read_only=True)
    try:
        for dataset in PUBLISHED_DATASETS:
            started = time.perf_counter()
            outcome = verify(
                connection,
                contract_path(dataset.name),
                contract_variables(dataset, window),
                composed_contract(dataset),
            )
            seconds = time.perf_counter() - started
            counts: dict[str, int] = {}
            for check in outcome.checks:
                counts[check.outcome] = counts.get(check.outcome, 0) + 1
            runs.append(
                ContractRun(
                    dataset=dataset.name,
                    seconds=seconds,
                    outcomes=counts,
                    failed_checks=[check.name for check in outcome.failed_checks],
                    errors=[str(error) for error in outcome.errors],
                )
            )
    finally:
        connection.close()
    return runs


@dataclass(frozen=True)
class ContractsMeasured:
    """The child's measurement and what it reported (no runs if it died before reporting)."""

    process: Measured
    runs: tuple[ContractRun, ...]

    @property
    def verify_seconds(self) -> float:
        return sum(run.seconds for run in self.runs)


def run_all_contracts(span: Span, work_dir: Path) -> ContractsMeasured:
    """Run `verify_all` over the span in a child process and read back its report."""
    log = work_dir / "contracts" / "contracts.out"
    process = run_measured(
        [
            sys.executable,
            "-m",
            "tooling.benchmark.contracts",
            str(span.warehouse),
            span.window.start.isoformat(),
            span.window.end.isoformat(),
        ],
        cwd=work_dir,
        log=log,
    )
    return ContractsMeasured(process, parse_report(log.read_text(errors="replace")))


def parse_report(output: str) -> tuple[ContractRun, ...]:
    for line in reversed(output.splitlines()):
        if line.startswith(RESULT_PREFIX):
            return tuple(ContractRun(**run) for run in json.loads(line[len(RESULT_PREFIX) :]))
    return ()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Verify every contract over a window.")
    parser.add_argument("warehouse", type=Path)
    parser.add_argument("start", type=date.fromisoformat)
    parser.add_argument("end", type=date.fromisoformat, help="exclusive")
    args = parser.parse_args(argv)
    runs = verify_all(args.warehouse, args.start, args.end)
    print(RESULT_PREFIX + json.dumps([asdict(run) for run in runs]), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
