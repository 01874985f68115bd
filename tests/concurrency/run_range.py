"""One `daily_publish` run over a partition range, in its own process: half of a race.

    python -m tests.concurrency.run_range WAREHOUSE SOURCE_DOMAIN PUBLIC_DOMAIN START END

The public portal's credentials come from PUBLIC_SOCRATA_USERNAME / _PASSWORD. Exits 0
when the run succeeded; prints the run id.
"""

from __future__ import annotations

import os
import sys

import dagster as dg

from orchestration.definitions import build_definitions
from orchestration.socrata.resource import SocrataResource
from orchestration.warehouse.resource import WarehouseResource
from tests.retries import QUICK_PORTAL_RETRIES


def main(warehouse: str, source: str, public: str, start: str, end: str) -> int:
    definitions = build_definitions(
        {
            "warehouse": WarehouseResource(path=warehouse),
            "source_portal": SocrataResource(domain=source),
            "public_portal": SocrataResource(
                domain=public,
                username=dg.EnvVar("PUBLIC_SOCRATA_USERNAME"),
                password=dg.EnvVar("PUBLIC_SOCRATA_PASSWORD"),
                backoff_s=0.05,
            ),
        },
        portal_retry_policy=QUICK_PORTAL_RETRIES,
    )
    job = definitions.resolve_job_def("daily_publish")
    with dg.DagsterInstance.get() as instance:
        result = job.execute_in_process(
            instance=instance,
            tags={
                "dagster/asset_partition_range_start": start,
                "dagster/asset_partition_range_end": end,
            },
            raise_on_error=False,
        )
    print(f"run {result.run_id} {'succeeded' if result.success else 'failed'}", flush=True)
    return 0 if result.success else 1


if __name__ == "__main__":
    assert "DAGSTER_HOME" in os.environ, "a Dagster home is needed"
    sys.exit(main(*sys.argv[1:]))
