"""The platform's one Dagster code location: it assembles, it does not compute."""

import dataclasses
import os

import dagster as dg
from dagster_dbt import DbtProject

from orchestration.catalog import DERIVED_DATASETS, SOURCES, PublishedDataset, Source
from orchestration.defs.corrections import build_corrections_definitions
from orchestration.defs.failures import FailureWebhookResource, record_run_failures
from orchestration.defs.freshness import build_freshness_check, build_freshness_schedule
from orchestration.defs.ingest import build_ingest_assets
from orchestration.defs.policies import PORTAL_RETRY_POLICY
from orchestration.defs.public_datasets import build_preflight_job, build_provision_job
from orchestration.defs.publish import (
    build_publish_asset,
    build_publish_plan_job,
    build_replace_job,
)
from orchestration.defs.quality import build_contract_check
from orchestration.defs.reapply import reapply_privacy_rules_job
from orchestration.defs.release import build_release_definitions
from orchestration.defs.review import build_review_asset
from orchestration.defs.schedules import (
    DEFAULT_PUBLISH_HOUR,
    build_daily_schedule,
    daily_publish_job,
)
from orchestration.defs.sensors import DEFAULT_INTERVAL_S, build_change_sensors
from orchestration.defs.signals import build_missing_days_check, build_partition_signal_checks
from orchestration.defs.transform import build_dbt_models
from orchestration.publishing.release_clock import ReleaseClock
from orchestration.socrata.resource import SocrataResource
from orchestration.transform.compat import LocalDbtCliResource
from orchestration.transform.project import DBT_EXECUTABLE, dbt_project
from orchestration.warehouse.resource import WarehouseResource

MINIMUM_CHANGE_INTERVAL_S = 30


def portal_from_environment(prefix: str) -> SocrataResource:
    """A Socrata resource configured by PREFIX_SOCRATA_* variables, read at run time."""
    return SocrataResource(
        domain=dg.EnvVar(f"{prefix}_SOCRATA_DOMAIN"),
        app_token=dg.EnvVar(f"{prefix}_SOCRATA_APP_TOKEN"),
        username=dg.EnvVar(f"{prefix}_SOCRATA_USERNAME"),
        password=dg.EnvVar(f"{prefix}_SOCRATA_PASSWORD"),
        dataset_ids=dg.EnvVar(f"{prefix}_SOCRATA_DATASET_IDS"),
    )


def build_definitions(
    resources: dict[str, object],
    *,
    sources: tuple[Source, ...] = SOURCES,
    derived: tuple[PublishedDataset, ...] = DERIVED_DATASETS,
    project: DbtProject = dbt_project,
    asset_checks: list[dg.AssetChecksDefinition] | None = None,
    publish_time: tuple[int, int] = (DEFAULT_PUBLISH_HOUR, 0),
    change_interval_s: int = DEFAULT_INTERVAL_S,
    portal_retry_policy: dg.RetryPolicy = PORTAL_RETRY_POLICY,
) -> dg.Definitions:
    """The code location for a catalog and a dbt project (tests hand in their own, and a
    `portal_retry_policy` that retries as often without waiting minutes for it)."""
    published = (*(source.published for source in sources), *derived)
    if asset_checks is None:
        asset_checks = [build_contract_check(dataset, sources=sources) for dataset in published]
    freshness_checks = [build_freshness_check(dataset) for dataset in published]
    freshness_checks += [build_missing_days_check(dataset) for dataset in published]
    freshness_job, freshness_schedule = build_freshness_schedule(freshness_checks)
    release_checks, release_jobs, release_sensors = build_release_definitions(sources, published)
    corrections = build_corrections_definitions()
    return dg.Definitions(
        assets=[
            *build_ingest_assets(sources, portal_retry_policy),
            *build_dbt_models(project, sources),
            *(build_review_asset(source) for source in sources),
            *(build_publish_asset(dataset, sources, portal_retry_policy) for dataset in published),
            *corrections["assets"],
        ],
        asset_checks=[
            *asset_checks,
            *freshness_checks,
            *build_partition_signal_checks(sources),
            *release_checks,
        ],
        jobs=[
            daily_publish_job,
            freshness_job,
            build_publish_plan_job(published),
            build_replace_job(published, sources),
            reapply_privacy_rules_job,
            build_provision_job(published),
            build_preflight_job(sources, published),
            *release_jobs,
            *corrections["jobs"],
        ],
        schedules=[build_daily_schedule(*publish_time), freshness_schedule],
        sensors=[
            *build_change_sensors(sources, change_interval_s),
            *release_sensors,
            *corrections["sensors"],
            record_run_failures,
        ],
        resources={
            "dbt": LocalDbtCliResource(project_dir=project, dbt_executable=DBT_EXECUTABLE),
            "failure_webhook": FailureWebhookResource(),
            "release_clock": ReleaseClock(),
            **resources,
        },
        # One DuckDB file takes one writer at a time: steps run one after another in the
        # run's process, so they never fight over the lock (and skip re-importing per step).
        executor=dg.in_process_executor,
    )


def publish_time_from_environment() -> tuple[int, int]:
    """`DAILY_PUBLISH_HOUR` (0-23, city time, default 3) and `DAILY_PUBLISH_MINUTE` (0-59,
    default 0).

    Read when the code location loads rather than at run time: a schedule's cron is part of
    its definition, so changing the time means reloading the location.
    """
    hour = int(os.environ.get("DAILY_PUBLISH_HOUR") or DEFAULT_PUBLISH_HOUR)
    return hour, int(os.environ.get("DAILY_PUBLISH_MINUTE") or 0)


def change_interval_from_environment() -> int:
    """`SOURCE_CHANGE_INTERVAL_S`: how often the change sensors ask the source portal, in
    seconds (default 900, at least 30). Read when the code location loads, like the hour: an
    interval is part of a sensor's definition."""
    text = os.environ.get("SOURCE_CHANGE_INTERVAL_S", "").strip()
    interval = int(text) if text else DEFAULT_INTERVAL_S
    if interval < MINIMUM_CHANGE_INTERVAL_S:
        raise ValueError(
            f"SOURCE_CHANGE_INTERVAL_S is {interval}: at least {MINIMUM_CHANGE_INTERVAL_S} s, "
            "or a look at the source could outlast the interval"
        )
    return interval


def release_policies_from_environment(
    sources: tuple[Source, ...] = SOURCES, derived: tuple[PublishedDataset, ...] = DERIVED_DATASETS
) -> tuple[tuple[Source, ...], tuple[PublishedDataset, ...]]:
    """The catalog with `RELEASE_POLICIES` applied: `dataset=mode[:hours]`, comma-separated
    (`use_of_force=approved`, `calls_for_service=settled:48`); the catalog's own policy for
    a dataset the variable does not name. Read when the code location loads, like the hour:
    a policy decides which checks and sensors exist."""
    text = os.environ.get("RELEASE_POLICIES", "").strip()
    if not text:
        return sources, derived
    chosen: dict[str, tuple[str, int | None]] = {}
    for item in text.split(","):
        name, _, setting = item.strip().partition("=")
        mode, _, hours = setting.strip().partition(":")
        chosen[name.strip()] = (mode.strip(), int(hours) if hours else None)
    known = {s.name for s in sources} | {d.name for d in derived}
    if unknown := sorted(set(chosen) - known):
        raise ValueError(
            f"RELEASE_POLICIES names unknown datasets {unknown}; known: {sorted(known)}"
        )

    def applied(dataset: PublishedDataset) -> PublishedDataset:
        if dataset.name not in chosen:
            return dataset
        mode, hours = chosen[dataset.name]
        policy = dataset.release
        policy = dataclasses.replace(
            policy, mode=mode, settle_hours=policy.settle_hours if hours is None else hours
        )
        return dataclasses.replace(dataset, release=policy)

    return (
        tuple(dataclasses.replace(s, published=applied(s.published)) for s in sources),
        tuple(applied(d) for d in derived),
    )


_sources, _derived = release_policies_from_environment()
defs = build_definitions(
    {
        "warehouse": WarehouseResource(path=dg.EnvVar("WAREHOUSE_PATH")),
        "source_portal": portal_from_environment("SOURCE"),
        "public_portal": portal_from_environment("PUBLIC"),
    },
    sources=_sources,
    derived=_derived,
    publish_time=publish_time_from_environment(),
    change_interval_s=change_interval_from_environment(),
)
