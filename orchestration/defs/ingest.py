"""Raw assets: each source's internal rows for a local day, loaded as they are.

Upstream of each raw asset is the internal Socrata dataset itself, declared as an external
asset so the graph starts where the data does. Before loading, the dataset's layout is checked
(orchestration/ingest/source_layout.py): a dataset the models cannot read fails the step, without
retries (waiting does not bring a column back), so nothing downstream runs or publishes.
"""

import dagster as dg

from orchestration.catalog import SOURCES, Source
from orchestration.defs.policies import (
    OWNERS,
    PORTAL_RETRY_POLICY,
    portal_refusals_not_retried,
)
from orchestration.ingest.loader import LOADER_MEMORY_LIMIT, NEWEST_ROW_UPDATED_AT, load_raw_window
from orchestration.ingest.source_layout import SourceSchemaError, check_source_dataset
from orchestration.partitions import daily_partitions, window_of
from orchestration.socrata.resource import SocrataResource
from orchestration.warehouse.resource import WarehouseResource


def internal_dataset_spec(source: Source) -> dg.AssetSpec:
    return dg.AssetSpec(
        key=source.internal_asset_key,
        description=f"{source.internal_dataset_name}: private, on the internal portal.",
        group_name="sources",
        kinds={"socrata"},
        owners=OWNERS,
        metadata={
            "dataset_id": source.internal_dataset_id,
            "dataset_name": source.internal_dataset_name,
        },
    )


def build_raw_asset(
    source: Source, retry_policy: dg.RetryPolicy = PORTAL_RETRY_POLICY
) -> dg.AssetsDefinition:
    @dg.asset(
        key=source.raw_asset_key,
        deps=[source.internal_asset_key],
        partitions_def=daily_partitions,
        backfill_policy=dg.BackfillPolicy.single_run(),
        group_name="raw",
        kinds={"duckdb", "socrata"},
        owners=OWNERS,
        code_version="1",
        pool="warehouse",
        description=(
            f"{source.title} rows created on the partition's local day, read from the internal "
            f"dataset {source.internal_dataset_id} and loaded as they are into "
            f"{source.raw_table}, with load metadata. Private."
        ),
        retry_policy=retry_policy,
    )
    def raw_asset(
        context: dg.AssetExecutionContext,
        source_portal: SocrataResource,
        warehouse: WarehouseResource,
    ) -> dg.MaterializeResult:
        window = window_of(context)

        def progress(done: int, expected: int) -> None:
            context.log.info(f"{source.name}: {done:,} of {expected:,} rows loaded")

        dataset_id = source_portal.dataset_id(source.name, source.internal_dataset_id)
        with portal_refusals_not_retried(), source_portal.open() as client:
            try:
                layout = check_source_dataset(client, source, dataset_id)
            except SourceSchemaError as error:
                raise dg.Failure(description=str(error), allow_retries=False) from error
            for column, alias in layout.aliases_used.items():
                context.log.info(f"{source.name}: reading {column} from its older name {alias}")
            with warehouse.connect(memory_limit=LOADER_MEMORY_LIMIT) as connection:
                load = load_raw_window(
                    client,
                    connection,
                    source,
                    window,
                    dataset_id=dataset_id,
                    run_id=context.run_id,
                    page_size=source_portal.page_size,
                    progress=progress,
                )
        if load.rows_loaded != load.rows_expected:
            context.log.warning(
                f"{source.name}: counted {load.rows_expected:,} rows before reading but read "
                f"{load.rows_loaded:,}; the source changed during the load"
            )
        context.log.info(
            f"{source.name}: {load.rows_loaded:,} rows loaded for {window.start}..{window.end} "
            f"(replaced {load.rows_replaced:,}) in {load.seconds:.1f} s"
        )
        return dg.MaterializeResult(
            metadata={
                "dagster/row_count": load.rows_loaded,
                "rows_expected": load.rows_expected,
                "rows_replaced": load.rows_replaced,
                "pages": load.pages,
                "seconds": load.seconds,
                "source_dataset_id": load.source_dataset_id,
                "source_dataset_name": source.internal_dataset_name,
                "source_rows_updated_at": (
                    load.source_rows_updated_at.isoformat() if load.source_rows_updated_at else None
                ),
                "new_source_columns": list(load.new_columns),
                NEWEST_ROW_UPDATED_AT: load.newest_row_updated_at,
            }
        )

    return raw_asset


def build_ingest_assets(
    sources: tuple[Source, ...] = SOURCES, retry_policy: dg.RetryPolicy = PORTAL_RETRY_POLICY
) -> list[object]:
    """Each source's internal dataset (external) and its raw asset."""
    return [
        *(internal_dataset_spec(source) for source in sources),
        *(build_raw_asset(source, retry_policy) for source in sources),
    ]
