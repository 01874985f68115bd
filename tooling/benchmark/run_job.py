"""`daily_publish` over a window as one run, in this process, on an in-memory Dagster instance
(or, with `--instance home`, on the instance of DAGSTER_HOME: `make serve`'s PostgreSQL).

The bench times the pipeline's own work: ingest, dbt, contracts, publish. Dagster's SQLite
run storage writes each partition's events one by one (a fifteen-year backfill is hundreds of
thousands of them, minutes to hours on a small disk), which is the storage's cost, not the
pipeline's; the `dagster_events` figure measures it apart. The code location is the one the
Dagster CLI loads, configured by the same environment variables.

    python -m tooling.benchmark.run_job START END [--instance home]   (END inclusive)
"""

from __future__ import annotations

import argparse
import json
from datetime import date

import dagster as dg


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="run_job", description=__doc__)
    parser.add_argument("start", type=date.fromisoformat)
    parser.add_argument("end", type=date.fromisoformat, help="inclusive")
    parser.add_argument(
        "--instance",
        choices=("memory", "home"),
        default="memory",
        help="an in-memory instance (default), or the one DAGSTER_HOME configures",
    )
    args = parser.parse_args(argv)
    from orchestration.definitions import defs

    job = defs.resolve_job_def("daily_publish")
    if args.start == args.end:
        tags = {"dagster/partition": args.start.isoformat()}
    else:
        tags = {
            "dagster/asset_partition_range_start": args.start.isoformat(),
            "dagster/asset_partition_range_end": args.end.isoformat(),
        }
    opened = dg.DagsterInstance.get if args.instance == "home" else dg.DagsterInstance.ephemeral
    with opened() as instance:
        result = job.execute_in_process(instance=instance, tags=tags, raise_on_error=False)
        # A range run records one materialization per day, each with the step's metadata:
        # one per asset is what the step sent.
        published: dict[str, dict[str, object]] = {}
        step_seconds: dict[str, float] = {}
        node_seconds: dict[str, float] = {}
        for event in result.all_events:
            if event.is_step_success:
                step_seconds[event.step_key] = event.event_specific_data.duration_ms / 1000
            node, seconds = dbt_node_duration(event)
            if node is not None:
                node_seconds[node] = max(seconds, node_seconds.get(node, 0.0))
            if not event.is_step_materialization:
                continue
            materialization = event.step_materialization_data.materialization
            if "rows_sent" in materialization.metadata:
                published[materialization.asset_key.to_user_string()] = {
                    "rows_sent": materialization.metadata["rows_sent"].value,
                    "bytes_sent": materialization.metadata["bytes_sent"].value,
                }
        events = len(result.all_events)
    print(
        json.dumps(
            {
                "success": result.success,
                "events": events,
                "published": published,
                "step_seconds": step_seconds,
                "node_seconds": node_seconds,
            }
        ),
        flush=True,
    )
    return 0 if result.success else 1


def dbt_node_duration(event: dg.DagsterEvent) -> tuple[str | None, float]:
    """The dbt node an event reports and how long dbt took over it (dagster-dbt's "Execution
    Duration" on a model's materialization and a test's check or observation); a range run
    reports a model once per day, with the same duration."""
    data = event.event_specific_data
    if event.is_step_materialization:
        metadata = data.materialization.metadata
    elif event.event_type_value == "ASSET_CHECK_EVALUATION":
        metadata = data.metadata
    elif event.event_type_value == "ASSET_OBSERVATION":
        metadata = data.asset_observation.metadata
    else:
        return None, 0.0
    node, duration = metadata.get("unique_id"), metadata.get("Execution Duration")
    if node is None or duration is None:
        return None, 0.0
    return str(node.value), float(duration.value)


if __name__ == "__main__":
    raise SystemExit(main())
