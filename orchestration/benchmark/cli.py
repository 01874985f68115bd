"""`civic-bench` (`make bench`): run the registered figures and print them as a table.

The span is built in a temporary directory, removed afterwards, unless `--work-dir` names one
to keep (its `portal/`, `warehouse.duckdb` and `dbt/` are replaced). The exit status is 0 when
every figure met its target, 1 when one missed it, 2 when one could not be measured.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import traceback
from contextlib import ExitStack
from pathlib import Path

from orchestration.benchmark.context import DEFAULT_ROWS, DEFAULT_SEED, BenchContext
from orchestration.benchmark.figures import (
    Figure,
    FigureResult,
    Row,
    Status,
    registered_figures,
    select,
)
from orchestration.benchmark.measure import NO_TELEMETRY
from orchestration.benchmark.report import exit_status, format_report


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    names = ", ".join(figure.name for figure in registered_figures())
    parser = argparse.ArgumentParser(prog="civic-bench", description=__doc__)
    parser.add_argument(
        "--rows", type=int, default=DEFAULT_ROWS, help="raw rows in the span, all sources"
    )
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="the generator's seed")
    parser.add_argument("--work-dir", type=Path, help="build the span here and keep it")
    parser.add_argument(
        "--only", action="append", metavar="NAME", help=f"run only this figure ({names})"
    )
    parser.add_argument("--quiet", action="store_true", help="print the table only")
    args = parser.parse_args(argv)
    if args.rows <= 0:
        parser.error("--rows must be positive")
    return args


def run_figures(figures: tuple[Figure, ...], context: BenchContext):
    """Each figure's result; one that raises is reported as not measured, and the rest run."""
    results = []
    for figure in figures:
        try:
            result = figure.measure(context)
        except Exception as error:
            traceback.print_exc()
            result = FigureResult((Row("error", type(error).__name__),), Status.ERROR, str(error))
        results.append((figure, result))
    return results


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        figures = select(args.only)
    except KeyError as error:
        print(f"civic-bench: {error.args[0]}", file=sys.stderr)
        return 2
    os.environ.update(NO_TELEMETRY)
    with ExitStack() as stack:
        if args.work_dir:
            work_dir = args.work_dir.resolve()
            work_dir.mkdir(parents=True, exist_ok=True)
        else:
            work_dir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="civic-bench-")))
        context = BenchContext(work_dir, rows=args.rows, seed=args.seed, progress=not args.quiet)
        results = run_figures(figures, context)
    print("\n" + format_report(results), flush=True)
    status = exit_status(results)
    if status:
        print(
            f"civic-bench: exit {status} ({', '.join(f.name for f, r in results if r.status)})",
            file=sys.stderr,
        )
    return status
