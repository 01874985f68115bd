"""Failures are loud: each failed run is recorded in the warehouse and posted to a webhook.

The run failure sensor (orchestration/defs/failures.py) calls this: for every failed run,
one row per failed step goes to `ops.run_failures` (run, job, partition, step, asset,
error summary) and, when `FAILURE_WEBHOOK_URL` is set, a JSON summary is posted there.
Error texts can quote the data a step choked on, so the webhook's copy has every quoted
literal blanked: the post leaves the city's network, the warehouse does not. Neither copy
holds a credential: configured secrets are blanked from every error before it is recorded
(`secrets.py`), and the webhook's own URL never appears in an error (`webhook.py`).
"""

import re
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime

import dagster as dg

from orchestration.alerting.secrets import scrubbed
from orchestration.warehouse.resource import WarehouseResource

FAILURES_TABLE = "ops.run_failures"
SUMMARY_CHARS = 500
_QUOTED_RE = re.compile(r"'[^']*'|\"[^\"]*\"")


@dataclass(frozen=True)
class FailureRecord:
    run_id: str
    job: str
    partition: str | None
    step: str | None
    asset: str | None
    error: str
    failed_at: datetime


def summarize(text: str) -> str:
    """The first line of an error, shortened, without any configured credential."""
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    return scrubbed(first)[:SUMMARY_CHARS]


def root_error(error: object) -> str:
    """The message of the error that caused it all: past Dagster's wrappers (a retry that ran
    out, a step execution error) to the exception the step's own code raised."""
    chain = []
    while error is not None:
        chain.append(error)
        error = getattr(error, "cause", None) or getattr(error, "context", None)
    retries = ""
    for candidate in chain:
        name = getattr(candidate, "cls_name", "") or ""
        message = (getattr(candidate, "message", "") or "").strip()
        if message.startswith("Exceeded max_retries"):
            retries = f"{message}: "  # Dagster's text in place of the last attempt's error
            continue
        if not name.startswith("Dagster") and name not in ("RetryRequested", "Failure"):
            return retries + message
    return retries + (getattr(chain[0], "message", "") if chain else "")


def redacted(text: str) -> str:
    return _QUOTED_RE.sub("'…'", text)


def partition_of(run: dg.DagsterRun) -> str | None:
    tags = run.tags
    if "dagster/partition" in tags:
        return tags["dagster/partition"]
    start, end = (
        tags.get("dagster/asset_partition_range_start"),
        tags.get("dagster/asset_partition_range_end"),
    )
    return f"{start}..{end}" if start and end else None


def failure_records(context: dg.RunFailureSensorContext) -> Iterator[FailureRecord]:
    """One record per failed step, or one for the run when no step failed (a launch error)."""
    run = context.dagster_run
    failed_at = datetime.now(UTC).replace(tzinfo=None)
    step_failures = context.get_step_failure_events()
    for event in step_failures:
        error = event.step_failure_data.error
        yield FailureRecord(
            run_id=run.run_id,
            job=run.job_name,
            partition=partition_of(run),
            step=event.step_key,
            asset=event.asset_key.to_user_string() if event.asset_key else event.step_key,
            error=summarize(root_error(error) if error else event.message or ""),
            failed_at=failed_at,
        )
    if not step_failures:
        yield FailureRecord(
            run_id=run.run_id,
            job=run.job_name,
            partition=partition_of(run),
            step=None,
            asset=None,
            error=summarize(context.failure_event.message or "the run failed"),
            failed_at=failed_at,
        )


def only_pending_approvals(records: list[FailureRecord], check_name: str) -> bool:
    """True when every failed step is a `check_name` check (`release_approved`): the run
    stopped because a day waits for a steward's approval, which is the policy working, not a
    failure to page anyone about."""
    return bool(records) and all(
        record.step is not None and record.step.endswith(f"_{check_name}") for record in records
    )


def write_failures(warehouse: WarehouseResource, records: list[FailureRecord]) -> None:
    """Append to the failures table (`connect()` waits out another process's hold on it)."""
    with warehouse.connect() as connection:
        connection.execute("create schema if not exists ops")
        connection.execute(
            f"create table if not exists {FAILURES_TABLE} (run_id varchar, job varchar, "
            "partition varchar, step varchar, asset varchar, error varchar, "
            "failed_at timestamp)"
        )
        connection.executemany(
            f"insert into {FAILURES_TABLE} values (?, ?, ?, ?, ?, ?, ?)",
            [list(asdict(record).values()) for record in records],
        )
