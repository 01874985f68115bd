"""`make reapply-rules`: after a privacy-rule change, the one command that makes the public
datasets follow the new rules.

It runs the `reapply_privacy_rules` job (orchestration/defs/reapply.py) as one run over the
days that hold data: every local day with raw rows in the warehouse or rows on a public
portal (the publish ledger), unless `--from` / `--to` narrow it. The run rebuilds those days
through dbt, holds each mart to its blocking contract checks, and publishes the difference,
withdrawing what became private. The run is recorded in the Dagster instance like any other,
so the UI shows its checks and what each publish sent.

Run it as `make reapply-rules [FROM=YYYY-MM-DD] [TO=YYYY-MM-DD]` (or
`python -m orchestration.publishing.reapply`), with the settings the deployment's Dagster
has (WAREHOUSE_PATH, DAGSTER_HOME, PUBLIC_SOCRATA_*). It exits 1 when the run fails, a
blocking check among the reasons.
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import date
from pathlib import Path

import dagster as dg
import duckdb

from orchestration.catalog import SOURCES, Source
from orchestration.defs.reapply import REAPPLY_JOB
from orchestration.publishing.ledger import LEDGER_TABLE
from orchestration.warehouse.resource import WarehouseResource
from orchestration.warehouse.sql import table_exists

RANGE_START_TAG = "dagster/asset_partition_range_start"
RANGE_END_TAG = "dagster/asset_partition_range_end"


def history_span(
    connection: duckdb.DuckDBPyConnection, sources: tuple[Source, ...] = SOURCES
) -> tuple[date, date] | None:
    """The first and last local day holding data: raw rows of any source, or rows the
    ledger says are on a portal (a day published once and since emptied at the source still
    needs its withdrawals). None for an empty warehouse."""
    spans = [
        f"select min(_partition_date), max(_partition_date) from {source.raw_table}"
        for source in sources
        if table_exists(connection, source.raw_table)
    ]
    if table_exists(connection, LEDGER_TABLE):
        spans.append(f"select min(day), max(day) from {LEDGER_TABLE}")
    if not spans:
        return None
    first, last = connection.execute(
        f"select min(first_day), max(last_day) from ("
        f"{' union all '.join(spans)}) as spans(first_day, last_day)"
    ).fetchone()
    return None if first is None else (first, last)


def range_tags(first: date, last: date) -> dict[str, str]:
    """The tags that make one run of a partitioned job cover `first..last` (inclusive)."""
    return {RANGE_START_TAG: first.isoformat(), RANGE_END_TAG: last.isoformat()}


def reapply(
    definitions: dg.Definitions,
    instance: dg.DagsterInstance,
    warehouse: WarehouseResource,
    first: date | None = None,
    last: date | None = None,
    sources: tuple[Source, ...] = SOURCES,
) -> tuple[tuple[date, date] | None, dg.ExecuteInProcessResult | None]:
    """Run the job over `first..last`, each end defaulting to the history's; the days run,
    and the run's result (both None when the warehouse holds nothing to rebuild)."""
    if first is None or last is None:
        span = None
        if Path(warehouse.path).exists():
            with warehouse.connect(read_only=True) as connection:
                span = history_span(connection, sources)
        if span is None:
            return None, None
        first, last = first or span[0], last or span[1]
    if last < first:
        raise ValueError(f"the range ends ({last}) before it starts ({first})")
    job = definitions.resolve_job_def(REAPPLY_JOB)
    result = job.execute_in_process(
        instance=instance, tags=range_tags(first, last), raise_on_error=False
    )
    return (first, last), result


def summary(result: dg.ExecuteInProcessResult) -> list[str]:
    """What the run did, in lines: each publish's counts, and each check that failed."""
    published: dict[str, dict[str, object]] = {}
    # A range run records a materialization per day, each with the one publish's figures.
    for event in result.get_asset_materialization_events():
        materialization = event.materialization
        metadata = {key: value.value for key, value in materialization.metadata.items()}
        if "rows_deleted" in metadata:
            published[materialization.asset_key.to_user_string()] = metadata
    lines = [
        f"{key}: {m['rows_created']} created, {m['rows_updated']} updated, "
        f"{m['rows_deleted']} withdrawn, {m['rows_unchanged']} unchanged"
        for key, m in published.items()
    ]
    for evaluation in result.get_asset_check_evaluations():
        if not evaluation.passed:
            lines.append(
                f"check {evaluation.asset_key.to_user_string()}:{evaluation.check_name} "
                f"failed ({evaluation.severity.value})"
            )
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m orchestration.publishing.reapply",
        description=(
            "After a privacy-rule change: rebuild the days that hold data through dbt (rule "
            "tables first), run the blocking contract checks, publish the difference. The "
            "raw rows are not loaded again."
        ),
    )
    parser.add_argument("--from", dest="first", type=date.fromisoformat, help="first day")
    parser.add_argument("--to", dest="last", type=date.fromisoformat, help="last day")
    args = parser.parse_args(argv)
    # The code location, as the deployment's Dagster loads it (imported here: it reads its
    # settings from the environment when it loads).
    from orchestration.definitions import defs

    warehouse = WarehouseResource(path=os.environ["WAREHOUSE_PATH"])
    span, result = reapply(defs, dg.DagsterInstance.get(), warehouse, args.first, args.last)
    if result is None:
        print("the warehouse holds no raw rows and no published rows: nothing to rebuild")
        return 0
    print(f"{REAPPLY_JOB} over {span[0]}..{span[1]}: run {result.run_id}")
    print("\n".join(f"  {line}" for line in summary(result)))
    print("succeeded" if result.success else "FAILED: see the run in the Dagster UI")
    return 0 if result.success else 1


if __name__ == "__main__":
    sys.exit(main())
