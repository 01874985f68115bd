"""The release policies in Dagster: the `release_approved` check, the approval job, and the
sensors that publish a day once it is approved or its held rows have settled.

`approved` (catalog.ReleasePolicy): the source's review packet, `review/<source>`, carries a
blocking `release_approved` check, so the dataset's publish waits behind it. The check
stages the plan the publish would send for each day of the run and passes only when a
steward's approval in `stewards.release_approvals` names that plan's fingerprint (the one
the packet shows), or when the plan sends nothing new (nothing to release, or only
withdrawals, which never wait). A failed check is the day pending: the packet is there to
read, the publish did not run. The `approve_release` job records an approval of the
fingerprint the steward read, refusing one the rows no longer match, and on its success the
`release_approvals_publish` sensor runs that day's packet, check and publish again, from the
marts already built (no raw load, no dbt build): the check now passes and exactly the
approved rows are sent. A change at the source after the approval changes the fingerprint,
so the next run's check fails again and the day is pending until it is approved anew.

`settled`: the publish holds rows still settling (orchestration/publishing/settling.py) and
the `<dataset>_settled_rows` sensor publishes them later (orchestration/defs/settling.py).
"""

from datetime import UTC, date, datetime

import dagster as dg
from pydantic import Field

from orchestration.catalog import PublishedDataset, Source
from orchestration.defs.review import review_asset_key
from orchestration.defs.schedules import daily_publish_job
from orchestration.defs.settling import build_settling_sensor, release_selection
from orchestration.partitions import DayWindow, daily_partitions
from orchestration.publishing.plan import stage_delta_plan
from orchestration.review.approvals import Approval, approval_of, record_approval
from orchestration.review.fingerprint import plan_fingerprint
from orchestration.socrata.resource import SocrataResource
from orchestration.warehouse.resource import WarehouseResource

RELEASE_APPROVED = "release_approved"
APPROVE_JOB = "approve_release"
APPROVAL_SENSOR_INTERVAL_S = 10


def _day_plan(connection, dataset: PublishedDataset, day: date, dataset_id: str):
    plan = stage_delta_plan(connection, dataset, DayWindow.for_day(day), dataset_id)
    return plan, plan_fingerprint(connection, dataset_id, day)


def build_release_approved_check(source: Source) -> dg.AssetChecksDefinition:
    """The blocking check on `review/<source>` of a dataset released on approval."""
    dataset = source.published

    @dg.asset_check(
        asset=review_asset_key(source.name),
        name=RELEASE_APPROVED,
        blocking=True,
        partitions_def=daily_partitions,
        description=(
            f"Pending until a steward approves the day's {dataset.title} rows through the "
            f"{APPROVE_JOB} job, naming the release fingerprint of the review packet; a change "
            "at the source after the approval makes the day pending again."
        ),
    )
    def release_approved(
        context: dg.AssetCheckExecutionContext,
        warehouse: WarehouseResource,
        public_portal: SocrataResource,
    ) -> dg.AssetCheckResult:
        window = DayWindow.from_time_window(context.partition_time_window)
        dataset_id = public_portal.dataset_id(dataset.name, dataset.public_dataset_id)
        pending: dict[str, str] = {}
        approved: dict[str, str] = {}
        with warehouse.connect() as connection:
            for day in window.days:
                plan, fingerprint = _day_plan(connection, dataset, day, dataset_id)
                if plan.creates + plan.updates == 0:
                    continue  # nothing new to release; withdrawals never wait
                approval = approval_of(connection, dataset.name, day, fingerprint)
                if approval is None:
                    pending[day.isoformat()] = fingerprint
                else:
                    approved[day.isoformat()] = f"{fingerprint} by {approval.approved_by}"
        if pending:
            days = ", ".join(f"{day} (fingerprint {fp})" for day, fp in pending.items())
            description = (
                f"pending approval: {len(pending)} day(s) wait for a steward ({days}); read "
                f"the review packet and launch {APPROVE_JOB} with its fingerprint"
            )
        else:
            description = f"approved: {len(approved)} day(s) approved, nothing else to release"
        context.log.info(f"{dataset.name}: {description}")
        return dg.AssetCheckResult(
            passed=not pending,
            severity=dg.AssetCheckSeverity.ERROR,
            description=description,
            metadata={
                "status": "pending" if pending else "approved",
                "pending_days": dg.MetadataValue.json(pending),
                "approved_days": dg.MetadataValue.json(approved),
            },
        )

    return release_approved


class ApprovalConfig(dg.Config):
    """A steward's approval of one dataset's day, as read in its review packet."""

    dataset: str = Field(description="The dataset, e.g. calls_for_service.")
    day: str = Field(description="The local day (partition), YYYY-MM-DD.")
    fingerprint: str = Field(description="The review packet's release fingerprint.")
    approved_by: str = Field(description="Who approves (name or staff id).")
    reason: str = Field(description="Why: what was checked.")


def build_approval_job(sources: tuple[Source, ...]) -> dg.JobDefinition:
    """`approve_release`: record a steward's approval, launched from the launchpad."""
    approvable = {s.name: s for s in sources if s.published.release.needs_approval}

    @dg.op(
        name="record_release_approval",
        pool="warehouse",
        description="Record the approval if the day's rows still match the fingerprint.",
    )
    def record_release_approval(
        context: dg.OpExecutionContext,
        config: ApprovalConfig,
        warehouse: WarehouseResource,
        public_portal: SocrataResource,
    ) -> dg.Output[dict[str, str]]:
        source = approvable.get(config.dataset)
        if source is None:
            raise dg.Failure(
                f"{config.dataset!r} is not released on approval; datasets that are: "
                + (", ".join(approvable) or "none")
            )
        if not (config.approved_by.strip() and config.reason.strip()):
            raise dg.Failure("an approval names who approves and why")
        day = date.fromisoformat(config.day)
        dataset = source.published
        dataset_id = public_portal.dataset_id(dataset.name, dataset.public_dataset_id)
        with warehouse.connect() as connection:
            _, fingerprint = _day_plan(connection, dataset, day, dataset_id)
            if fingerprint != config.fingerprint.strip():
                raise dg.Failure(
                    f"{dataset.name} {day}: the rows to publish changed since the packet you "
                    f"read (its fingerprint {config.fingerprint}, now {fingerprint}); nothing "
                    f"was approved. Materialize {'/'.join(review_asset_key(source.name).path)}"
                    " for the day and review the new packet.",
                    allow_retries=False,
                )
            approval = Approval(
                dataset=dataset.name,
                day=day,
                fingerprint=fingerprint,
                approved_by=config.approved_by.strip(),
                approved_at=datetime.now(UTC),
                reason=config.reason.strip(),
                run_id=context.run_id,
            )
            record_approval(connection, approval)
        context.log.info(f"{dataset.name} {day} approved by {approval.approved_by}: {fingerprint}")
        return dg.Output(
            {"dataset": dataset.name, "day": day.isoformat(), "fingerprint": fingerprint},
            metadata={"approved_by": approval.approved_by, "reason": approval.reason},
        )

    return dg.GraphDefinition(name=APPROVE_JOB, node_defs=[record_release_approval]).to_job(
        description=(
            "A steward's approval of one day of a dataset released on approval: config names "
            "the dataset, the day, the review packet's release fingerprint, who and why. "
            "Recorded in stewards.release_approvals; the day then publishes."
        ),
        tags={"civic/steward": "approval"},
    )


def approved_publish_request(
    source: Source, published: tuple[PublishedDataset, ...], day: str, run_id: str
) -> dg.RunRequest:
    """The run that publishes an approved day: its packet and check again, then the publish."""
    return dg.RunRequest(
        run_key=f"approved:{run_id}",
        partition_key=day,
        asset_selection=[
            review_asset_key(source.name),
            *release_selection(source.published, published),
        ],
        tags={"civic/trigger": f"{source.name} release approved"},
    )


def build_approval_sensor(
    sources: tuple[Source, ...], published: tuple[PublishedDataset, ...], job: dg.JobDefinition
) -> dg.SensorDefinition:
    by_name = {s.name: s for s in sources}

    @dg.run_status_sensor(
        name="release_approvals_publish",
        run_status=dg.DagsterRunStatus.SUCCESS,
        monitored_jobs=[job],
        request_job=daily_publish_job,
        minimum_interval_seconds=APPROVAL_SENSOR_INTERVAL_S,
        default_status=dg.DefaultSensorStatus.RUNNING,
        description="Publishes a day once a steward's approval of it has been recorded.",
    )
    def release_approvals_publish(context: dg.RunStatusSensorContext):
        config = context.dagster_run.run_config["ops"]["record_release_approval"]["config"]
        source = by_name[config["dataset"]]
        return approved_publish_request(
            source, published, config["day"], context.dagster_run.run_id
        )

    return release_approvals_publish


def build_release_definitions(
    sources: tuple[Source, ...], published: tuple[PublishedDataset, ...]
) -> tuple[list[dg.AssetChecksDefinition], list[dg.JobDefinition], list[dg.SensorDefinition]]:
    """The checks, jobs and sensors the catalog's release policies call for."""
    checks = [
        build_release_approved_check(s) for s in sources if s.published.release.needs_approval
    ]
    job = build_approval_job(sources)
    sensors = [build_approval_sensor(sources, published, job)]
    sensors += [
        build_settling_sensor(s.published, published)
        for s in sources
        if s.published.release.settles and s.published.release.closed_field
    ]
    return checks, [job], sensors
