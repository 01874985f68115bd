"""The daily job for one day in its own process, for tests that kill it part-way.

    python -m tests.faults.run_daily WAREHOUSE SOURCE_DOMAIN PUBLIC_DOMAIN DAY CHUNK PAGE

The public portal's credentials come from PUBLIC_SOCRATA_USERNAME / _PASSWORD.
"""

from __future__ import annotations

import os
import sys

import dagster as dg

from orchestration.catalog import CALLS_FOR_SERVICE
from orchestration.definitions import build_definitions
from orchestration.socrata.resource import SocrataResource
from orchestration.warehouse.resource import WarehouseResource
from tests.retries import QUICK_PORTAL_RETRIES


def main(warehouse: str, source: str, public: str, day: str, chunk: str, page: str) -> int:
    definitions = build_definitions(
        {
            "warehouse": WarehouseResource(path=warehouse),
            "source_portal": SocrataResource(domain=source, page_size=int(page)),
            "public_portal": SocrataResource(
                domain=public,
                username=dg.EnvVar("PUBLIC_SOCRATA_USERNAME"),
                password=dg.EnvVar("PUBLIC_SOCRATA_PASSWORD"),
                backoff_s=0.05,
            ),
        },
        portal_retry_policy=QUICK_PORTAL_RETRIES,
    )
    publish_op = CALLS_FOR_SERVICE.published.published_asset_key.to_python_identifier()
    with dg.DagsterInstance.get() as instance:
        result = definitions.resolve_job_def("daily_publish").execute_in_process(
            partition_key=day,
            run_config={"ops": {publish_op: {"config": {"chunk_size": int(chunk)}}}},
            instance=instance,
            raise_on_error=False,
        )
    return 0 if result.success else 1


if __name__ == "__main__":
    assert "DAGSTER_HOME" in os.environ, "a Dagster home is needed"
    sys.exit(main(*sys.argv[1:]))
