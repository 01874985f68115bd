"""dbt models as Dagster assets: the rule seeds, then one lane per source (staging to audit).

Keys and groups come from the dbt project's own structure (model name, folder), so adding a
model needs no change here. dbt tests become asset checks.
"""

import json
import shutil
from collections.abc import Iterator, Mapping
from graphlib import TopologicalSorter
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtProject, dbt_assets

from orchestration.catalog import SOURCES, Source, privacy_vars
from orchestration.corrections.table import ensure_table as ensure_corrections_table
from orchestration.defs.policies import OWNERS
from orchestration.partitions import daily_partitions, window_of
from orchestration.transform.column_metadata import (
    ColumnMetadataCache,
    attach_column_metadata,
    cache_path_for,
)
from orchestration.transform.compat import (
    LocalDbtCliResource,
    events_with_row_counts,
    release_dbt_duckdb_handles,
)
from orchestration.transform.invocation import (
    LANE_TEST_SELECTION,
    dbt_build_args,
    dbt_environment,
)
from orchestration.transform.partial_parse import (
    environment,
    keep_parse,
    new_target_path,
    saved_parse_path,
    seed_target,
)
from orchestration.transform.project import dbt_project
from orchestration.transform.rule_tables import (
    RecordedBuild,
    RecordedCheck,
    RuleTables,
    record_build,
    recorded_check,
    unchanged_build,
)
from orchestration.warehouse.resource import WarehouseResource


class CivicDbtTranslator(DagsterDbtTranslator):
    """Groups follow the dbt folder (staging, intermediate, marts, audit, rules); seeds are
    `rules` too, beside the reviewed rule tables built from them."""

    def __init__(self) -> None:
        super().__init__(
            settings=DagsterDbtTranslatorSettings(
                enable_asset_checks=True, enable_code_references=False
            )
        )

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        """Models and seeds are keyed by name alone: names already say the layer."""
        meta_key = dbt_resource_props.get("meta", {}).get("dagster", {}).get("asset_key")
        if dbt_resource_props["resource_type"] == "source" or meta_key:
            return super().get_asset_key(dbt_resource_props)
        return dg.AssetKey(dbt_resource_props["name"])

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props["resource_type"] == "seed":
            return "rules"
        fqn = dbt_resource_props.get("fqn", [])
        return fqn[1] if len(fqn) > 2 else super().get_group_name(dbt_resource_props)

    def get_owners(self, dbt_resource_props: Mapping[str, Any]) -> list[str]:
        return list(super().get_owners(dbt_resource_props) or OWNERS)


# The rule tables: the seeds, and the models that read the stewards' reviewed corrections
# beside them (dbt_project/models/rules/). One step every lane follows, so a correction
# reaches every source's models the same way a seed does; nothing of a lane (staging,
# marts) is selected here.
RULES_SELECTION = "resource_type:seed path:models/rules"


def lane_selection(source: Source) -> str:
    """A source's lane in the dbt project: every node downstream of its raw table (staging,
    intermediate, mart, audit, and datasets derived from its mart, with their tests)."""
    return f"source:raw.{source.name}+"


def build_dbt_models(
    project: DbtProject = dbt_project, sources: tuple[Source, ...] = SOURCES
) -> list[dg.AssetsDefinition]:
    """The dbt project as one step per lane: the rule tables (seeds), then each source's models.

    A source whose load, build or tests fail stops its own lane and what derives from it,
    never another source's: each lane is its own dbt invocation, and the rule tables, which
    lanes share, are built in a step of their own that every lane follows.
    """
    lanes = [build_dbt_step("dbt_rules", RULES_SELECTION, project, sources, reuse_unchanged=True)]
    lanes += [
        build_dbt_step(f"dbt_{source.name}", lane_selection(source), project, sources)
        for source in sources
    ]
    return lanes


def build_dbt_step(
    name: str,
    select: str,
    project: DbtProject,
    sources: tuple[Source, ...],
    *,
    reuse_unchanged: bool = False,
) -> dg.AssetsDefinition:
    """The dbt nodes `select` names as one partitioned multi-asset, run as one dbt build.

    With `reuse_unchanged` (the rule tables), a run that finds the tables built from exactly
    the same files and inputs as the last build whose tests held does not start dbt
    (orchestration/transform/rule_tables.py).
    """

    @dbt_assets(
        manifest=project.manifest_path,
        project=project,
        select=select,
        name=name,
        dagster_dbt_translator=CivicDbtTranslator(),
        partitions_def=daily_partitions,
        backfill_policy=dg.BackfillPolicy.single_run(),
        pool="warehouse",
    )
    def dbt_step(
        context: dg.AssetExecutionContext,
        dbt: LocalDbtCliResource,
        warehouse: WarehouseResource,
    ) -> Iterator[Any]:
        """Build (run and test) the selected models for the run's partition window.

        dbt opens the warehouse file from its own process; asking for the warehouse resource
        makes a run that selects only dbt models take the run's warehouse lock too. Column
        schema and lineage are derived again only for models whose code or upstream columns
        changed (orchestration/transform/column_metadata.py).
        """
        privacy = privacy_vars(sources)
        fingerprint = None
        if reuse_unchanged:
            rule_tables = RuleTables.of_manifest(project.project_dir, project_manifest(project))
            with warehouse.connect() as connection:
                # The stewards' corrections are an input of the rule models; dbt creates the
                # table at its start when absent, so create it before it is fingerprinted:
                # else a fresh warehouse's first build reads "absent", the next "empty", and
                # rebuilds for nothing.
                ensure_corrections_table(connection)
                recorded, fingerprint = unchanged_build(connection, rule_tables, privacy)
            replayed = recorded and replay_unchanged(context, recorded)
            if replayed:
                yield from replayed
                return
        window = window_of(context)
        saved_parse = saved_parse_path(warehouse.path)
        target_path = new_target_path(project.project_dir, context.run_id)
        seed_target(target_path, saved_parse)
        checks: list[RecordedCheck] = []
        # The window travels in the environment so the vars, and dbt's saved parse, stay
        # the same from run to run (orchestration/transform/invocation.py); dbt runs in this
        # process, so the variables stay set until it has finished.
        with environment({**dbt_environment(window), **LANE_TEST_SELECTION}):
            invocation = dbt.cli(dbt_build_args(privacy), context=context, target_path=target_path)
            try:
                for event in attach_column_metadata(
                    events_with_row_counts(invocation),
                    invocation,
                    ColumnMetadataCache(cache_path_for(warehouse.path)),
                    privacy,
                    context,
                ):
                    if isinstance(event, dg.AssetCheckResult):
                        checks.append(recorded_check(event))
                    yield event
            finally:
                invocation.process.wait()
                release_dbt_duckdb_handles()
                keep_parse(target_path, saved_parse)
                shutil.rmtree(target_path, ignore_errors=True)
        if fingerprint is not None and invocation.is_successful() and tests_held(checks):
            with warehouse.connect() as connection:
                record_build(connection, rule_tables, fingerprint, checks, context.run_id)

    return dbt_step


def project_manifest(project: DbtProject) -> dict[str, Any]:
    """The project's parsed manifest (what `make setup` parsed)."""
    return json.loads(Path(project.manifest_path).read_text(encoding="utf-8"))


def tests_held(checks: list[RecordedCheck]) -> bool:
    """No test failed at error severity (a warning is recorded and reported again)."""
    return all(check.passed or check.severity == "WARN" for check in checks)


def replay_unchanged(
    context: dg.AssetExecutionContext, recorded: RecordedBuild
) -> list[Any] | None:
    """The step's results when its rule tables are unchanged since `recorded`: each selected
    table reported current, each selected test with its recorded outcome. None when a
    selected test has no recorded outcome (the step then builds and tests as usual)."""
    outcomes = {(check.asset_key, check.check_name): check for check in recorded.checks}
    results: list[Any] = []
    for check_key in sorted(context.selected_asset_check_keys, key=str):
        outcome = outcomes.get((tuple(check_key.asset_key.path), check_key.name))
        if outcome is None:
            return None
        results.append(outcome.as_result(recorded.run_id))
    reason = (
        f"unchanged since run {recorded.run_id} built and tested it ({recorded.built_at} UTC): "
        "the same seed files, macros, rule models, parameters and inputs"
    )
    context.log.info(f"rule tables {reason}; dbt not started")
    # Dagster takes a multi-asset's results in dependency order: the reviewed rule tables
    # (models/rules) follow the seeds and corrections_in_effect they read.
    selected = set(context.selected_asset_keys)
    dependencies = context.assets_def.asset_deps
    order = TopologicalSorter(
        {key: dependencies.get(key, set()) & selected for key in sorted(selected, key=str)}
    ).static_order()
    materializations = [
        dg.MaterializeResult(
            asset_key=key,
            metadata={
                **carried_metadata(context, key),
                "rule_tables_rebuilt": False,
                "built_in_run": recorded.run_id,
            },
        )
        for key in order
    ]
    return [*materializations, *results]


COLUMN_METADATA_KEYS = ("dagster/column_schema", "dagster/column_lineage")


def carried_metadata(context: dg.AssetExecutionContext, key: dg.AssetKey) -> dict[str, Any]:
    """The table's last build's metadata for this run's materialization. Column schema and
    lineage go on the run's newest day only, as `attach_column_metadata` puts them: a range
    run repeating kilobytes a table on every day of years is what that avoids."""
    carried = last_built_metadata(context.instance, key)
    columns = {name: carried.pop(name) for name in COLUMN_METADATA_KEYS if name in carried}
    if columns and context.has_partition_key_range:
        newest = context.partition_key_range.end
        context.add_asset_metadata(columns, asset_key=key, partition_key=newest)
        return carried
    return {**carried, **columns}


def last_built_metadata(instance: dg.DagsterInstance, key: dg.AssetKey) -> dict[str, Any]:
    """The metadata of the table's latest materialization (its column schema and lineage,
    its row count), carried forward: the table is unchanged, so they still describe it, and
    the UI and the lineage documents read the latest materialization."""
    event = instance.get_latest_materialization_event(key)
    materialization = event.asset_materialization if event is not None else None
    if materialization is None:
        return {}
    return {
        name: value for name, value in materialization.metadata.items() if name not in NOT_CARRIED
    }


# What describes a build rather than the table: a replay executes nothing, and says which run
# built the table instead.
NOT_CARRIED = ("rule_tables_rebuilt", "built_in_run", "Execution Duration")
