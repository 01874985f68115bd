"""Published assets: each public mart's window made equal on the city's portal.

Each publish sends only what changed since the ledger's last record (see
orchestration.publishing). Two explicit jobs sit beside the daily path: `publish_plan`, a dry
run that shows per dataset what a partition's publish would send, and `replace_public_dataset`,
the deliberate full refresh of one dataset after a schema change, checked whole by the mart's
contract first. (A rule change is `reapply_privacy_rules`, orchestration/defs/reapply.py.)
"""

from datetime import timedelta

import dagster as dg
import duckdb
from pydantic import Field

from orchestration.catalog import SOURCES, PublishedDataset, Source, source_of
from orchestration.corrections.table import decisions_of
from orchestration.defs.policies import (
    OWNERS,
    PORTAL_RETRY_POLICY,
    portal_refusals_not_retried,
)
from orchestration.defs.review import review_asset_key
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
from orchestration.publishing.release_clock import ReleaseClock
from orchestration.publishing.row_fates import FateCounts, fate_counts
from orchestration.publishing.send import (
    DEFAULT_CHUNK_SIZE,
    PublishResult,
    empty_replace_refusal,
    publish_window,
    replace_dataset,
)
from orchestration.publishing.settling import (
    HELD_DAYS,
    held_days,
    held_days_entry,
    settling_hold,
)
from orchestration.quality.gate import GateOutcome, history_window, run_gate
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
        "rows_held": plan.held,
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
    corrections: dict[str, list[dict[str, object]]] | None = None,
) -> dict[str, object]:
    """The dataset's lineage as of this run, from Dagster's metadata and dbt's manifest, with
    the stewards' decisions about its source (`corrections`, by source name)."""
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
        corrections=(corrections or {}).get(upstream.name, []) if upstream else [],
    )
    return lineage_document(dataset, source, traces, publication, upstream=upstream)


def build_publish_asset(
    dataset: PublishedDataset,
    sources: tuple[Source, ...] = SOURCES,
    retry_policy: dg.RetryPolicy = PORTAL_RETRY_POLICY,
) -> dg.AssetsDefinition:
    source = source_of(dataset.name, sources)
    upstream = tuple(s.published for s in sources)

    @dg.asset(
        key=dataset.published_asset_key,
        # A derived dataset follows the publishes of what it is computed from: when their
        # blocking checks withhold a day, its figures of that day are not published either.
        # A source's dataset waits for its stewards' review packet of the day too.
        deps=[
            dataset.mart_asset_key,
            *dataset.derived_from_keys,
            *([review_asset_key(source.name)] if source else []),
        ],
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
            "rows deleted, unchanged rows not sent (the publish ledger knows them). Release "
            f"policy: {dataset.release.describe()}."
        ),
        retry_policy=retry_policy,
    )
    def publish_asset(
        context: dg.AssetExecutionContext,
        config: PublishConfig,
        public_portal: SocrataResource,
        source_portal: SocrataResource,
        warehouse: WarehouseResource,
        release_clock: ReleaseClock,
    ) -> dg.MaterializeResult:
        window = window_of(context)
        dataset_id = public_portal.dataset_id(dataset.name, dataset.public_dataset_id)
        hold = settling_hold(dataset, upstream, release_clock.now(), window)

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
                hold=hold,
            )
            held = held_days(connection, dataset, upstream, window, result.plan.held_by_day)
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
                    {s.name: decisions_of(connection, s.name) for s in sources},
                ),
            )
        url = f"{client.base_url}/resource/{dataset_id}.json"
        context.log.info(f"{window.start}..{window.end} to {url}: {result.summary()}")
        if held:
            context.log.info(
                f"{dataset.name}: {result.plan.held:,} rows still settling held back "
                f"({dataset.release.describe()}); the settling sensor publishes each day "
                "once its last held row has settled"
            )
        metadata: dict[str, object] = {
            **_plan_metadata(result),
            HELD_DAYS: dg.MetadataValue.json(held_days_entry(held)),
            "release_policy": dataset.release.describe(),
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


def _held_days_metadata(
    connection: duckdb.DuckDBPyConnection,
    dataset: PublishedDataset,
    upstream: tuple[PublishedDataset, ...],
    result: PublishResult,
) -> dict[str, object]:
    """`held_days` of a full refresh that held rows still settling, for the settling sensor."""
    days = sorted(result.plan.held_by_day)
    if not days:
        return {}
    window = DayWindow(days[0], days[-1] + timedelta(days=1))
    held = held_days(connection, dataset, upstream, window, result.plan.held_by_day)
    return {HELD_DAYS: dg.MetadataValue.json(held_days_entry(held))}


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
        release_clock: ReleaseClock,
    ) -> dg.Output[dict[str, dict[str, int]]]:
        window = DayWindow.from_time_window(context.partition_time_window)
        now = release_clock.now()
        plans: dict[str, dict[str, int]] = {}
        lines = [
            "| dataset | id | creates | updates | deletes | unchanged | held |",
            "|---|---|---|---|---|---|---|",
        ]
        with warehouse.connect() as connection:
            for dataset in published:
                dataset_id = public_portal.dataset_id(dataset.name, dataset.public_dataset_id)
                hold = settling_hold(dataset, published, now, window)
                plan = stage_delta_plan(connection, dataset, window, dataset_id, hold)
                context.log.info(
                    f"{window.start}..{window.end} {dataset.name} ({dataset_id}) would send "
                    f"{plan.creates:,} creates, {plan.updates:,} updates, {plan.deletes:,} "
                    f"deletes; {plan.unchanged:,} rows unchanged, {plan.held:,} held"
                )
                plans[dataset.name] = plan.as_dict()
                lines.append(
                    f"| {dataset.name} | {dataset_id} | {plan.creates:,} | {plan.updates:,} | "
                    f"{plan.deletes:,} | {plan.unchanged:,} | {plan.held:,} |"
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
    allow_empty: bool = Field(
        default=False,
        description=(
            "Replace the public dataset even when the mart is empty, deleting every public "
            "row. Without it an empty mart is refused and nothing is sent."
        ),
    )


def _gate_refusal(outcome: GateOutcome, dataset_id: str) -> dg.Failure:
    lines = [f"- {verdict.describe()}" for verdict in outcome.blocking]
    lines += [f"- could not be evaluated: {error}" for error in outcome.errors]
    return dg.Failure(
        description=(
            f"refusing to replace {dataset_id}: {len(outcome.blocking)} blocking check(s) of "
            f"the {outcome.dataset} contract failed over {outcome.window.start}.."
            f"{outcome.window.end}. Nothing was sent.\n" + "\n".join(lines)
        ),
        metadata={
            "failed_checks": [verdict.check.name for verdict in outcome.blocking],
            "window": f"{outcome.window.start}..{outcome.window.end}",
        },
    )


def _checked_whole(
    context: dg.OpExecutionContext,
    connection: duckdb.DuckDBPyConnection,
    dataset: PublishedDataset,
    dataset_id: str,
    sources: tuple[Source, ...],
) -> dict[str, object]:
    """Hold the whole mart to its contract, as the daily gate holds a partition; raise a
    `Failure` naming each blocking check that failed. What was checked, as metadata."""
    window = history_window(connection, dataset, sources)
    if window is None:  # no mart row and no raw row: nothing a check could find
        context.log.info(f"{dataset.name}: no rows in the mart or raw, no contract to check")
        return {"contract_checks_passed": 0}
    gate = run_gate(connection, dataset, window, sources=sources)
    for verdict in gate.verdicts:
        if verdict.failed:
            context.log.warning(f"{dataset.name} contract check {verdict.describe()}")
    if not gate.passed:
        raise _gate_refusal(gate, dataset_id)
    context.log.info(
        f"{dataset.name}: the {len(gate.verdicts)} contract checks hold over "
        f"{window.start}..{window.end}; replacing the public dataset"
    )
    return {
        "contract_checks_passed": sum(not verdict.failed for verdict in gate.verdicts),
        "contract_checks_warned": sum(verdict.failed for verdict in gate.verdicts),
        "contract_window": f"{window.start}..{window.end}",
    }


def build_replace_job(
    published: tuple[PublishedDataset, ...], sources: tuple[Source, ...] = SOURCES
) -> dg.JobDefinition:
    """The deliberate full refresh of one public dataset, behind the same gate as a publish.

    A replace sends the whole mart, so it is checked whole: the mart's blocking contract
    checks (the Soda contract the daily gate runs, `quality.gate.run_gate`) over its whole
    history, before anything is sent. An empty mart is refused unless `allow_empty`: its
    replace would wipe the public dataset. It republishes the mart as it stands and rebuilds
    nothing: after a rule change, `reapply_privacy_rules` rebuilds and publishes the
    difference (orchestration/defs/reapply.py).
    """

    @dg.op(
        pool="warehouse",
        description=(
            "Check one public dataset's whole mart against its contract, then replace every "
            "row of the dataset with it and rebuild its ledger."
        ),
    )
    def replace_public_rows(
        context: dg.OpExecutionContext,
        config: ReplaceConfig,
        public_portal: SocrataResource,
        warehouse: WarehouseResource,
        release_clock: ReleaseClock,
    ) -> dg.Output[dict[str, int]]:
        dataset = _published_dataset(published, config.dataset)
        dataset_id = public_portal.dataset_id(dataset.name, dataset.public_dataset_id)
        upstream = tuple(source.published for source in sources)
        hold = settling_hold(dataset, upstream, release_clock.now())

        def progress(sent: int, total: int) -> None:
            context.log.info(f"{dataset.name}: {sent:,} of {total:,} rows sent")

        with warehouse.connect() as connection:
            if not config.allow_empty and (
                refusal := empty_replace_refusal(connection, dataset, dataset_id)
            ):
                raise dg.Failure(description=str(refusal))
            checked = _checked_whole(context, connection, dataset, dataset_id, sources)
            with public_portal.open() as client:
                result = replace_dataset(
                    client,
                    connection,
                    dataset,
                    dataset_id=dataset_id,
                    run_id=context.run_id,
                    chunk_size=config.chunk_size,
                    progress=progress,
                    allow_empty=config.allow_empty,
                    hold=hold,
                )
            held = _held_days_metadata(connection, dataset, upstream, result)
        context.log.info(f"full refresh of {result.summary()}")
        context.log_event(
            dg.AssetObservation(
                asset_key=dataset.published_asset_key,
                metadata={"full_refresh": True, **_plan_metadata(result), **checked, **held},
            )
        )
        return dg.Output(result.plan.as_dict(), metadata={**_plan_metadata(result), **checked})

    return dg.GraphDefinition(
        name="replace_public_dataset", node_defs=[replace_public_rows]
    ).to_job(
        description=(
            "Deliberate full refresh of one public dataset (after a schema change): the "
            "mart's contract checked over its whole history, then the portal's rows replaced "
            "by the whole mart and the publish ledger rebuilt. Refuses an empty mart unless "
            "allow_empty. After a rule change, run reapply_privacy_rules instead. Never "
            "scheduled."
        ),
    )
