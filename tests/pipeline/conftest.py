"""A whole platform in a temporary directory: generated source, two local portals, warehouse."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import dagster as dg
import pytest

from orchestration.catalog import CALLS_FOR_SERVICE, PUBLISHED_DATASETS
from orchestration.definitions import build_definitions
from orchestration.socrata.client import SocrataClient
from orchestration.socrata.resource import SocrataResource
from orchestration.transform.compat import LocalDbtCliResource
from orchestration.transform.project import DBT_EXECUTABLE, DBT_PROJECT_DIR
from orchestration.warehouse.resource import WarehouseResource
from tests.column_metadata_seed import seed_column_metadata as seed_metadata
from tests.column_metadata_seed import share_column_metadata
from tests.public_datasets import seed_public_datasets
from tests.retries import QUICK_PORTAL_RETRIES
from tests.rule_tables_seed import seed_rule_tables as seed_rules
from tests.rule_tables_seed import share_rule_tables
from tooling.generator.samples import write_samples
from tooling.local_portal.server import PortalHandle, serve_in_thread

DAY = date(2026, 11, 2)
PUBLISHER = ("publisher", "test-password")


@dataclass
class Platform:
    root: Path
    warehouse: Path
    source: PortalHandle
    public: PortalHandle
    exports: dict[str, object]

    def resources(self, *, dbt_in_process: bool = True) -> dict[str, object]:
        return {
            "dbt": LocalDbtCliResource(
                project_dir=DBT_PROJECT_DIR,
                dbt_executable=DBT_EXECUTABLE,
                in_process=dbt_in_process,
            ),
            "warehouse": WarehouseResource(path=str(self.warehouse)),
            "source_portal": SocrataResource(domain=f"{self.source.host}:{self.source.port}"),
            "public_portal": SocrataResource(
                domain=f"{self.public.host}:{self.public.port}",
                username=PUBLISHER[0],
                password=PUBLISHER[1],
                backoff_s=0.05,
            ),
        }

    def definitions(self, asset_checks=None, *, dbt_in_process: bool = True) -> dg.Definitions:
        return build_definitions(
            self.resources(dbt_in_process=dbt_in_process),
            asset_checks=asset_checks,
            portal_retry_policy=QUICK_PORTAL_RETRIES,
        )

    def run_daily_job(
        self,
        day: date = DAY,
        asset_checks=None,
        assets: list[dg.AssetKey] | None = None,
        *,
        dbt_in_process: bool = True,
    ) -> dg.ExecuteInProcessResult:
        """The daily job for `day`, whole or only its `assets` (with their checks); dbt in the
        run's process unless `dbt_in_process` is False."""
        definitions = self.definitions(asset_checks, dbt_in_process=dbt_in_process)
        job = definitions.resolve_job_def("daily_publish")
        result = job.execute_in_process(
            partition_key=day.isoformat(),
            instance=dg.DagsterInstance.get(),
            asset_selection=assets,
            raise_on_error=False,
        )
        share_column_metadata(self.warehouse)
        share_rule_tables(self.warehouse)
        return result

    def publish_again(self, day: date = DAY) -> dg.ExecuteInProcessResult:
        """The daily job's publish steps alone, from the marts an earlier run built: for
        behaviours of publishing, without another raw load and dbt build."""
        return self.run_daily_job(
            day, assets=[dataset.published_asset_key for dataset in PUBLISHED_DATASETS]
        )

    def public_client(self) -> SocrataClient:
        return SocrataClient(f"{self.public.host}:{self.public.port}")

    def published_rows(self, dataset_id: str = CALLS_FOR_SERVICE.published.public_dataset_id):
        with self.public_client() as client:
            return [row for page in client.iter_pages(dataset_id) for row in page]


def write_sample_exports(directory: Path, first: date, last: date) -> dict[str, object]:
    """Generated internal exports of every source, sized so each day has rows of each."""
    return write_samples(
        directory,
        first,
        last,
        seed=7,
        scale=0.25,
        scales={"use_of_force": 4, "service_requests_311": 1},
    )


@contextmanager
def running_platform(
    root: Path,
    exports: dict[str, object],
    *,
    seed_column_metadata: bool = True,
    seed_rule_tables: bool = True,
) -> Iterator[Platform]:
    """Serve `root/portal/internal` as the source and an empty public portal beside it.

    The warehouse starts from the column metadata another platform of the suite derived,
    unless `seed_column_metadata` is False (tests/column_metadata_seed.py), and from the rule
    tables another built, unless `seed_rule_tables` is False (tests/rule_tables_seed.py).
    """
    warehouse = root / "warehouse.duckdb"
    if seed_column_metadata:
        seed_metadata(warehouse)
    if seed_rule_tables:
        seed_rules(warehouse)
    with (
        pytest.MonkeyPatch.context() as monkeypatch,
        serve_in_thread(root / "portal" / "internal") as source,
        serve_in_thread(
            root / "portal" / "public", username=PUBLISHER[0], password=PUBLISHER[1]
        ) as public,
    ):
        monkeypatch.setenv("WAREHOUSE_PATH", str(warehouse))
        seed_public_datasets(public.url)
        try:
            yield Platform(root, warehouse, source, public, exports)
        finally:
            share_column_metadata(warehouse)
            share_rule_tables(warehouse)


@contextmanager
def sample_platform(
    tmp_path_factory: pytest.TempPathFactory, **options: bool
) -> Iterator[Platform]:
    """A platform serving the sample exports of DAY and the day before; `options` as
    `running_platform` takes them."""
    root = tmp_path_factory.mktemp("platform")
    exports = write_sample_exports(root / "portal" / "internal", DAY - timedelta(days=1), DAY)
    with running_platform(root, exports, **options) as running:
        yield running


@pytest.fixture(scope="module")
def platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Platform]:
    """One platform per test module: a daily run takes seconds, so modules share theirs."""
    with sample_platform(tmp_path_factory) as running:
        yield running
