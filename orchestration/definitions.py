"""The platform's one Dagster code location: it assembles, it does not compute."""

from __future__ import annotations

import dagster as dg

from orchestration.dbt_project import DBT_EXECUTABLE, LocalDbtCliResource, dbt_project
from orchestration.defs.ingest import internal_datasets, raw_assets
from orchestration.defs.publish import publish_assets
from orchestration.defs.quality import contract_checks
from orchestration.defs.schedules import daily_publish_job, daily_publish_schedule
from orchestration.defs.transform import dbt_models
from orchestration.socrata.resource import SocrataResource
from orchestration.warehouse.resource import WarehouseResource

defs = dg.Definitions(
    assets=[*internal_datasets, *raw_assets, dbt_models, *publish_assets],
    asset_checks=contract_checks,
    jobs=[daily_publish_job],
    schedules=[daily_publish_schedule],
    resources={
        "warehouse": WarehouseResource(path=dg.EnvVar("WAREHOUSE_PATH")),
        "dbt": LocalDbtCliResource(project_dir=dbt_project, dbt_executable=DBT_EXECUTABLE),
        "source_portal": SocrataResource(
            domain=dg.EnvVar("SOURCE_SOCRATA_DOMAIN"),
            app_token=dg.EnvVar("SOURCE_SOCRATA_APP_TOKEN"),
            username=dg.EnvVar("SOURCE_SOCRATA_USERNAME"),
            password=dg.EnvVar("SOURCE_SOCRATA_PASSWORD"),
        ),
        "public_portal": SocrataResource(
            domain=dg.EnvVar("PUBLIC_SOCRATA_DOMAIN"),
            app_token=dg.EnvVar("PUBLIC_SOCRATA_APP_TOKEN"),
            username=dg.EnvVar("PUBLIC_SOCRATA_USERNAME"),
            password=dg.EnvVar("PUBLIC_SOCRATA_PASSWORD"),
        ),
    },
    # One DuckDB file takes one writer at a time: steps run one after another in the run's
    # process, so they never fight over the lock (and skip re-importing per step).
    executor=dg.in_process_executor,
)
