"""Figure `contracts_vs_dbt`: all contracts on a span take less time than its dbt build.

The target (issue: "running all contracts on a 500k-row partition span takes less than the
dbt build of the same span") is a ratio of two timings of this run: the dbt build of the
span's window is the baseline, then every published dataset's contract is verified over the
same window. The two run one after the other, never together: DuckDB allows one writer per
file and no reader beside it. The dbt build leaves the marts filled for later figures.
"""

from __future__ import annotations

from tooling.benchmark.context import BenchContext
from tooling.benchmark.contracts import ContractsMeasured, run_all_contracts
from tooling.benchmark.dbt_build import run_dbt_build
from tooling.benchmark.figures import Figure, FigureResult, Row, Status

NAME = "contracts_vs_dbt"


def compare(contracts_seconds: float, dbt_seconds: float) -> tuple[Status, float]:
    """The verdict and the ratio contracts / dbt: met only when contracts take less time."""
    if contracts_seconds <= 0 or dbt_seconds <= 0:
        raise ValueError(f"timings must be positive: {contracts_seconds=}, {dbt_seconds=}")
    ratio = contracts_seconds / dbt_seconds
    return (Status.MET if ratio < 1 else Status.MISSED), ratio


def outcome_summary(contracts: ContractsMeasured) -> str:
    totals: dict[str, int] = {}
    for run in contracts.runs:
        for outcome, count in run.outcomes.items():
            totals[outcome] = totals.get(outcome, 0) + count
    return ", ".join(f"{count} {outcome.lower()}" for outcome, count in sorted(totals.items()))


def measure(context: BenchContext) -> FigureResult:
    span = context.span()
    rows = [
        Row("span", f"{span.window.start}..{span.window.end}", f"{span.days} days, end excl."),
        Row("raw rows in the span", span.rows, "rows, all sources"),
        *(Row(f"  {name}", count, "rows") for name, count in span.rows_by_source.items()),
    ]

    context.say("dbt build of the span (the baseline) ...")
    dbt = run_dbt_build(span, context.work_dir)
    if not dbt.ok:
        message = f"dbt build failed (exit {dbt.returncode}), see {dbt.log}:\n{dbt.tail()}"
        return FigureResult(tuple(rows), Status.ERROR, message)
    rows.append(Row("dbt build", round(dbt.seconds, 2), "s (baseline)"))

    context.say(f"dbt build took {dbt.seconds:.1f} s; all contracts over the span ...")
    contracts = run_all_contracts(span, context.work_dir)
    errors = [f"{run.dataset}: {error}" for run in contracts.runs for error in run.errors]
    if not contracts.process.ok or not contracts.runs or errors:
        detail = "\n".join(errors) or contracts.process.tail()
        message = (
            f"the contracts could not all be verified (exit {contracts.process.returncode}), "
            f"see {contracts.process.log}:\n{detail}"
        )
        return FigureResult(tuple(rows), Status.ERROR, message)
    rows += [
        Row("all contracts", round(contracts.process.seconds, 2), "s, one process"),
        Row("  of which verifying", round(contracts.verify_seconds, 2), "s, Soda, one connection"),
        *(Row(f"  {run.dataset} contract", round(run.seconds, 2), "s") for run in contracts.runs),
        Row("contract checks", outcome_summary(contracts), ""),
    ]
    failed = [f"{run.dataset}: {name}" for run in contracts.runs for name in run.failed_checks]
    if failed:
        rows.append(Row("  failed", "; ".join(failed), "the data, not the timing"))

    status, ratio = compare(contracts.process.seconds, dbt.seconds)
    rows += [
        Row("contracts / dbt build", round(ratio, 3), "target: below 1"),
        Row("peak RSS, dbt build", round(dbt.peak_rss_mib), "MiB"),
        Row("peak RSS, contracts", round(contracts.process.peak_rss_mib), "MiB"),
    ]
    message = (
        ""
        if status is Status.MET
        else (
            f"all contracts took {contracts.process.seconds:.1f} s, longer than the dbt build's "
            f"{dbt.seconds:.1f} s (ratio {ratio:.2f}); the target is a ratio below 1"
        )
    )
    return FigureResult(tuple(rows), status, message)


FIGURE = Figure(
    NAME, "All contracts on a partition span vs. the dbt build of the same span", measure
)
