"""Published assets: each public mart's window made equal on the city's portal.

Each publish sends only what changed since the ledger's last record (see
orchestration.publishing). Two explicit jobs sit beside the daily path: `publish_plan`, a dry
run that shows per dataset what a partition's publish would send, and `replace_public_dataset`,
the deliberate full refresh of one dataset after a schema or rule change.
"""

import dagster as dg
from pydantic import Field

from orchestration.catalog import SOURCES, PublishedDataset, Source, source_of
from orchestration.defs.policies import (
    OWNERS,
    PORTAL_RETRY_POLICY,
    portal_refusals_not_retried,
)
from orchestration.lineage.document import Publication, lineage_document
from orchestration.lineage.manifest import ManifestIndex
from orchestration.lineage.provenance import (
    check_outcomes,
    code_version,
    now_utc,
    publish_lineage,
    trace_columns,
)
from orchestration.lineage.trace import latest_column_lineage
from orchestration.partitions import DayWindow, daily_partitions, window_of
from orchestration.publishing.day_summary import (
    daily_counts,
    day_table,
    volume_markdown,
    volume_svg,
)
from orchestration.publishing.plan import stage_delta_plan
from orchestration.publishing.row_fates import FateCounts, fate_counts
from orchestration.publishing.send import (
    DEFAULT_CHUNK_SIZE,
    PublishResult,
    publish_window,
    replace_dataset,
)
from orchestration.socrata.resource import SocrataResource
from orchestration.transform.project import dbt_project
from orchestration.warehouse.resource import WarehouseResource

MANIFEST = dbt_project.manifest_path


class PublishConfig(dg.Config):
    chunk_size: int = DEFAULT_CHUNK_SIZE


def _plan_metadata(result: PublishResult) -> dict[str, object]:
    plan = result.plan
    return {
        "dagster/row_count": plan.rows_in_mart,
        "rows_created": plan.creates,
        "rows_updated": plan.updates,
        "rows_deleted": plan.deletes,
        "rows_unchanged": plan.unchanged,
        "rows_sent": result.rows_sent,
        "bytes_sent": result.bytes_sent,
        "chunks": result.chunks,
        "seconds": result.seconds,
    }


def build_lineage_document(
    context: dg.AssetExecutionContext,
    dataset: PublishedDataset,
    sources: tuple[Source, ...],
    window: DayWindow,
    dataset_id: str,
    result: PublishResult,
    fates: FateCounts | None,
    portals: tuple[SocrataResource, SocrataResource],
) -> dict[str, object]:
    """The dataset's lineage as of this run, from Dagster's metadata and dbt's manifest."""
    traces = trace_columns(
        dataset, sources, latest_column_lineage(context.instance), ManifestIndex.load(MANIFEST)
    )
    named = {name for trace in traces for name in trace.sources}
    source = source_of(dataset.name, sources)
    upstream = source or next((s for s in sources if s.name in named), None)
    check_keys = context.job_def.asset_layer.asset_graph.get_check_keys_for_assets(
        {dataset.mart_asset_key}
    )
    public, internal = portals
    publication = Publication(
        dataset_id=dataset_id,
        portal_url=f"socrata://{public.domain}",
        source_portal_url=f"socrata://{internal.domain}",
        run_id=context.run_id,
        published_at=now_utc(),
        code_version=code_version(context.assets_def.code_versions_by_key.get(context.asset_key)),
        window=f"{window.start}..{window.end}",
        plan=result.plan.as_dict(),
        rows_by_reason=fates.by_reason if fates else {},
        rows_by_fate=fates.by_fate if fates else {},
        checks=check_outcomes(context.instance, list(check_keys), context.run_id),
    )
    return lineage_document(dataset, source, traces, publication, upstream=upstream)


def build_publish_asset(
    dataset: PublishedDataset,
    sources: tuple[Source, ...] = SOURCES,
    retry_policy: dg.RetryPolicy = PORTAL_RETRY_POLICY,
) -> dg.AssetsDefinition:
    source = source_of(dataset.name, sources)

    @dg.asset(
        key=dataset.published_asset_key,
        deps=[dataset.mart_asset_key],
        partitions_def=daily_partitions,
        backfill_policy=dg.BackfillPolicy.single_run(),
        group_name="published",
        kinds={"socrata"},
        owners=OWNERS,
        code_version="2",
        pool="warehouse",
        description=(
            f"The public {dataset.title} dataset on the city's portal: the mart's new and "
            f"changed rows of the partition upserted by {dataset.row_identifier}, withdrawn "
            "rows deleted, unchanged rows not sent (the publish ledger knows them)."
        ),
        retry_policy=retry_policy,
    )
    def publish_asset(
        context: dg.AssetExecutionContext,
        config: PublishConfig,
        public_portal: SocrataResource,
        source_portal: SocrataResource,
        warehouse: WarehouseResource,
    ) -> dg.MaterializeResult:
        window = window_of(context)
        dataset_id = public_portal.dataset_id(dataset.name, dataset.public_dataset_id)

        def progress(sent: int, total: int) -> None:
            context.log.info(f"{dataset.name}: {sent:,} of {total:,} rows sent")

        with (
            portal_refusals_not_retried(),
            public_portal.open() as client,
            warehouse.connect() as connection,
        ):
            result = publish_window(
                client,
                connection,
                dataset,
                window,
                dataset_id=dataset_id,
                run_id=context.run_id,
                chunk_size=config.chunk_size,
                progress=progress,
            )
            fates = fate_counts(connection, source, window) if source else None
            table = day_table(connection, dataset, window)
            volume = volume_svg(daily_counts(connection, dataset, window.days[-1]), dataset.title)
            lineage_urls = publish_lineage(
                client,
                dataset,
                build_lineage_document(
                    context,
                    dataset,
                    sources,
                    window,
                    dataset_id,
                    result,
                    fates,
                    (public_portal, source_portal),
                ),
            )
        url = f"{client.base_url}/resource/{dataset_id}.json"
        context.log.info(f"{window.start}..{window.end} to {url}: {result.summary()}")
        metadata: dict[str, object] = {
            **_plan_metadata(result),
            "dataset_id": dataset_id,
            "dataset_url": dg.MetadataValue.url(url),
            **{
                f"lineage_{kind}": dg.MetadataValue.url(
                    client.base_url + link if link.startswith("/") else link
                )
                for kind, link in lineage_urls.items()
            },
        }
        shown: dict[str, object] = {
            "daily_volume_90_days": dg.MetadataValue.md(volume_markdown(volume))
        }
        if table is not None:
            shown["day_table"] = dg.MetadataValue.md(table)
        metadata.update(shown)
        # The mart shows its day too: dbt holds the warehouse while it builds the mart, so
        # the publish step, which reads it next, records it as an observation of the mart.
        context.log_event(
            dg.AssetObservation(
                asset_key=dataset.mart_asset_key,
                partition=context.partition_key if window.days == [window.start] else None,
                metadata=shown,
            )
        )
        if fates is not None:
            context.log.info(f"{dataset.name} raw rows of the window by fate: {fates.summary()}")
            metadata.update(
                rows_by_fate=dg.MetadataValue.json(fates.by_fate),
                rows_by_reason=dg.MetadataValue.json(fates.by_reason),
                rows_quarantined=fates.by_fate.get("quarantined", 0),
            )
        return dg.MaterializeResult(metadata=metadata)

    return publish_asset


def _published_dataset(published: tuple[PublishedDataset, ...], name: str) -> PublishedDataset:
    for dataset in published:
        if dataset.name == name:
            return dataset
    known = ", ".join(dataset.name for dataset in published)
    raise dg.Failure(f"no public dataset named {name!r}; the catalog has {known}")


def build_publish_plan_job(published: tuple[PublishedDataset, ...]) -> dg.JobDefinition:
    """The dry run: per public dataset, what publishing a partition would send."""

    @dg.op(pool="warehouse", description="Stage and count each dataset's publish plan.")
    def plan_publish(
        context: dg.OpExecutionContext,
        public_portal: SocrataResource,
        warehouse: WarehouseResource,
    ) -> dg.Output[dict[str, dict[str, int]]]:
        window = DayWindow.from_time_window(context.partition_time_window)
        plans: dict[str, dict[str, int]] = {}
        lines = [
            "| dataset | id | creates | updates | deletes | unchanged |",
            "|---|---|---|---|---|---|",
        ]
        with warehouse.connect() as connection:
            for dataset in published:
                dataset_id = public_portal.dataset_id(dataset.name, dataset.public_dataset_id)
                plan = stage_delta_plan(connection, dataset, window, dataset_id)
                context.log.info(
                    f"{window.start}..{window.end} {dataset.name} ({dataset_id}) would send "
                    f"{plan.creates:,} creates, {plan.updates:,} updates, {plan.deletes:,} "
                    f"deletes; {plan.unchanged:,} rows unchanged"
                )
                plans[dataset.name] = plan.as_dict()
                lines.append(
                    f"| {dataset.name} | {dataset_id} | {plan.creates:,} | {plan.updates:,} | "
                    f"{plan.deletes:,} | {plan.unchanged:,} |"
                )
        return dg.Output(plans, metadata={"plan": dg.MetadataValue.md("\n".join(lines))})

    return dg.GraphDefinition(name="publish_plan", node_defs=[plan_publish]).to_job(
        partitions_def=daily_partitions,
        description=(
            "Dry run of the daily publish for a partition: creates, updates and deletes per "
            "public dataset, computed against the publish ledger. Sends nothing."
        ),
    )


class ReplaceConfig(dg.Config):
    dataset: str = Field(description="The public mart to republish, e.g. calls_for_service.")
    chunk_size: int = DEFAULT_CHUNK_SIZE


def build_replace_job(published: tuple[PublishedDataset, ...]) -> dg.JobDefinition:
    """The deliberate full refresh of one public dataset."""

    @dg.op(
        pool="warehouse",
        description="Replace every row of one public dataset with its mart; rebuild its ledger.",
    )
    def replace_public_rows(
        context: dg.OpExecutionContext,
        config: ReplaceConfig,
        public_portal: SocrataResource,
        warehouse: WarehouseResource,
    ) -> dg.Output[dict[str, int]]:
        dataset = _published_dataset(published, config.dataset)
        dataset_id = public_portal.dataset_id(dataset.name, dataset.public_dataset_id)

        def progress(sent: int, total: int) -> None:
            context.log.info(f"{dataset.name}: {sent:,} of {total:,} rows sent")

        with public_portal.open() as client, warehouse.connect() as connection:
            result = replace_dataset(
                client,
                connection,
                dataset,
                dataset_id=dataset_id,
                run_id=context.run_id,
                chunk_size=config.chunk_size,
                progress=progress,
            )
        context.log.info(f"full refresh of {result.summary()}")
        context.log_event(
            dg.AssetObservation(
                asset_key=dataset.published_asset_key,
                metadata={"full_refresh": True, **_plan_metadata(result)},
            )
        )
        return dg.Output(result.plan.as_dict(), metadata=_plan_metadata(result))

    return dg.GraphDefinition(
        name="replace_public_dataset", node_defs=[replace_public_rows]
    ).to_job(
        description=(
            "Deliberate full refresh of one public dataset (after a schema or rule change): "
            "the portal's rows replaced by the whole mart, the publish ledger rebuilt. "
            "Never scheduled."
        ),
    )
