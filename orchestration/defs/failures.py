"""The run failure sensor: every failed run recorded and, when configured, posted to a webhook.

What is recorded and how it is scrubbed lives in orchestration.alerting.
"""

import dagster as dg

from orchestration.alerting.run_failures import (
    FAILURES_TABLE,
    failure_records,
    only_pending_approvals,
    partition_of,
    redacted,
    write_failures,
)
from orchestration.alerting.webhook import FailureWebhookResource
from orchestration.defs.release import RELEASE_APPROVED
from orchestration.warehouse.resource import WarehouseResource

__all__ = ["FAILURES_TABLE", "FailureWebhookResource", "record_run_failures"]


@dg.run_failure_sensor(
    name="record_run_failures",
    default_status=dg.DefaultSensorStatus.RUNNING,
    description=(
        f"Records each failed run's failed steps in {FAILURES_TABLE} and posts a summary to "
        "FAILURE_WEBHOOK_URL when it is set; a run stopped only by a day pending a steward's "
        "release approval is not a failure."
    ),
)
def record_run_failures(
    context: dg.RunFailureSensorContext,
    warehouse: WarehouseResource,
    failure_webhook: FailureWebhookResource,
) -> None:
    records = list(failure_records(context))
    run = context.dagster_run
    if only_pending_approvals(records, RELEASE_APPROVED):
        context.log.info(f"run {run.run_id} waits for a steward's release approval: not recorded")
        return
    write_failures(warehouse, records)
    posted = failure_webhook.post(
        {
            "text": f"{run.job_name} failed for {partition_of(run) or 'no partition'}",
            "run_id": run.run_id,
            "job": run.job_name,
            "partition": partition_of(run),
            "failures": [
                {"step": r.step, "asset": r.asset, "error": redacted(r.error)} for r in records
            ],
        }
    )
    context.log.info(
        f"recorded {len(records)} failures of run {run.run_id}"
        + (" and posted them to the webhook" if posted else "")
    )
