"""`civic-bench` (`make bench`): run the figures, print them as a table, write results.json.

By default the full-history figures run: `--scale` of fifteen years at the city's volume
(`make bench SCALE=0.05` for a run of minutes). `--only NAME` picks figures, the partition
span figures of `--rows` rows among them (`make bench-span`). Everything is built in a
temporary directory, removed afterwards, unless `--work-dir` names one to keep. Every figure's
numbers go to `--results` (data/bench/results.json) with the scale. The exit status is 0 when
every figure met its target, 1 when one missed it, 2 when one could not be measured.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import traceback
from contextlib import ExitStack
from pathlib import Path

from tooling.benchmark.context import (
    DEFAULT_ROWS,
    DEFAULT_SCALE,
    DEFAULT_SEED,
    BenchContext,
)
from tooling.benchmark.figures import (
    Figure,
    FigureResult,
    Row,
    Status,
    registered_figures,
    select,
)
from tooling.benchmark.measure import NO_TELEMETRY
from tooling.benchmark.report import exit_status, format_report, format_results


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    names = ", ".join(figure.name for figure in registered_figures())
    parser = argparse.ArgumentParser(prog="civic-bench", description=__doc__)
    parser.add_argument(
        "--rows", type=int, default=DEFAULT_ROWS, help="raw rows in the span, all sources"
    )
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="the generator's seed")
    parser.add_argument(
        "--scale",
        type=float,
        default=DEFAULT_SCALE,
        help="the share of fifteen years of history to build (1: 2011-2025, ~6M calls)",
    )
    parser.add_argument(
        "--results", type=Path, default=DEFAULT_RESULTS, help="where to write the figures' JSON"
    )
    parser.add_argument("--work-dir", type=Path, help="build the span here and keep it")
    parser.add_argument(
        "--only", action="append", metavar="NAME", help=f"run only this figure ({names})"
    )
    parser.add_argument("--quiet", action="store_true", help="print the table only")
    args = parser.parse_args(argv)
    if args.rows <= 0:
        parser.error("--rows must be positive")
    if args.scale <= 0:
        parser.error("--scale must be positive")
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


DEFAULT_RESULTS = Path("data") / "bench" / "results.json"


def write_results(path: Path, args: argparse.Namespace, results) -> None:
    """Every figure's numbers in one JSON object, with the run's scale and verdicts."""
    figures: dict[str, object] = {"scale": args.scale, "seed": args.seed}
    for _, result in results:
        figures.update(result.results)
    figures["verdicts"] = {
        figure.name: {"status": result.status.name.lower(), "message": result.message}
        for figure, result in results
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")


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
        context = BenchContext(
            work_dir,
            rows=args.rows,
            seed=args.seed,
            progress=not args.quiet,
            scale=args.scale,
            stack=stack.enter_context(ExitStack()),
        )
        results = run_figures(figures, context)
    print("\n" + format_report(results), flush=True)
    print("\n" + format_results(results, args.scale), flush=True)
    write_results(args.results, args, results)
    print(f"civic-bench: figures written to {args.results}", flush=True)
    status = exit_status(results)
    if status:
        print(
            f"civic-bench: exit {status} ({', '.join(f.name for f, r in results if r.status)})",
            file=sys.stderr,
        )
    return status
