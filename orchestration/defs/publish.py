"""Published assets: each public mart's window made equal on the city's portal."""

import dagster as dg

from orchestration.catalog import SOURCES, PublishedDataset, Source
from orchestration.partitions import daily_partitions, window_of
from orchestration.publisher import DEFAULT_CHUNK_SIZE, publish_window
from orchestration.row_fates import fate_counts
from orchestration.socrata.resource import SocrataResource
from orchestration.warehouse.resource import WarehouseResource


class PublishConfig(dg.Config):
    chunk_size: int = DEFAULT_CHUNK_SIZE


def build_publish_asset(
    dataset: PublishedDataset, sources: tuple[Source, ...] = SOURCES
) -> dg.AssetsDefinition:
    source = next((s for s in sources if s.published == dataset), None)

    @dg.asset(
        key=dataset.published_asset_key,
        deps=[dataset.mart_asset_key],
        partitions_def=daily_partitions,
        backfill_policy=dg.BackfillPolicy.single_run(),
        group_name="published",
        kinds={"socrata"},
        owners=["team:data-engineering"],
        code_version="1",
        pool="warehouse",
        description=(
            f"The public {dataset.title} dataset on the city's portal: the mart's rows of the "
            f"partition upserted by {dataset.row_identifier}, withdrawn rows deleted."
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
        dataset_id = public_portal.dataset_id(dataset.name, dataset.public_dataset_id)
        with public_portal.open() as client, warehouse.connect() as connection:
            result = publish_window(
                client,
                connection,
                dataset,
                window,
                dataset_id=dataset_id,
                chunk_size=config.chunk_size,
            )
            fates = fate_counts(connection, source, window) if source else None
        url = f"{client.base_url}/resource/{dataset_id}.json"
        context.log.info(
            f"published {result.rows_in_mart:,} {dataset.name} rows of {window.start}..."
            f"{window.end} to {url}: {result.rows_created:,} created, "
            f"{result.rows_updated:,} updated, {result.rows_deleted:,} withdrawn, "
            f"in {result.chunks} chunks"
        )
        metadata: dict[str, object] = {
            "dagster/row_count": result.rows_in_mart,
            "dataset_id": dataset_id,
            "dataset_url": dg.MetadataValue.url(url),
            "rows_created": result.rows_created,
            "rows_updated": result.rows_updated,
            "rows_deleted": result.rows_deleted,
            "chunks": result.chunks,
            "seconds": result.seconds,
        }
        if fates is not None:
            context.log.info(f"{dataset.name} raw rows of the window by fate: {fates.summary()}")
            metadata.update(
                rows_by_fate=dg.MetadataValue.json(fates.by_fate),
                rows_by_reason=dg.MetadataValue.json(fates.by_reason),
                rows_quarantined=fates.by_fate.get("quarantined", 0),
            )
        return dg.MaterializeResult(metadata=metadata)

    return publish_asset
