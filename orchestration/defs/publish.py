"""Published assets: each public mart's window made equal on the city's portal."""

import dagster as dg

from orchestration.catalog import SOURCES, Source
from orchestration.partitions import daily_partitions, window_of
from orchestration.publisher import DEFAULT_CHUNK_SIZE, publish_window
from orchestration.row_fates import fate_counts
from orchestration.socrata.resource import SocrataResource
from orchestration.warehouse.resource import WarehouseResource


class PublishConfig(dg.Config):
    chunk_size: int = DEFAULT_CHUNK_SIZE


def build_publish_asset(source: Source) -> dg.AssetsDefinition:
    @dg.asset(
        key=source.published_asset_key,
        deps=[source.mart_asset_key],
        partitions_def=daily_partitions,
        backfill_policy=dg.BackfillPolicy.single_run(),
        group_name="published",
        kinds={"socrata"},
        owners=["team:data-engineering"],
        code_version="1",
        pool="warehouse",
        description=(
            f"The public {source.title} dataset on the city's portal: the mart's rows of the "
            f"partition upserted by {source.row_identifier}, withdrawn rows deleted."
        ),
        retry_policy=dg.RetryPolicy(max_retries=2, delay=10, backoff=dg.Backoff.EXPONENTIAL),
    )
    def publish_asset(
        context: dg.AssetExecutionContext,
        config: PublishConfig,
        public_portal: SocrataResource,
        warehouse: WarehouseResource,
    ) -> dg.MaterializeResult:
        window = window_of(context)
        dataset_id = public_portal.dataset_id(source.name, source.public_dataset_id)
        with public_portal.open() as client, warehouse.connect() as connection:
            result = publish_window(
                client,
                connection,
                source,
                window,
                dataset_id=dataset_id,
                chunk_size=config.chunk_size,
            )
            fates = fate_counts(connection, source, window)
        url = f"{client.base_url}/resource/{dataset_id}.json"
        context.log.info(
            f"published {result.rows_in_mart:,} {source.name} rows of {window.start}..{window.end} "
            f"to {url}: {result.rows_created:,} created, {result.rows_updated:,} updated, "
            f"{result.rows_deleted:,} withdrawn, in {result.chunks} chunks"
        )
        context.log.info(f"{source.name} raw rows of the window by fate: {fates.summary()}")
        return dg.MaterializeResult(
            metadata={
                "dagster/row_count": result.rows_in_mart,
                "dataset_id": dataset_id,
                "dataset_url": dg.MetadataValue.url(url),
                "rows_created": result.rows_created,
                "rows_updated": result.rows_updated,
                "rows_deleted": result.rows_deleted,
                "chunks": result.chunks,
                "seconds": result.seconds,
                "rows_by_fate": dg.MetadataValue.json(fates.by_fate),
                "rows_by_reason": dg.MetadataValue.json(fates.by_reason),
                "rows_quarantined": fates.by_fate.get("quarantined", 0),
            }
        )

    return publish_asset


publish_assets = [build_publish_asset(source) for source in SOURCES]
