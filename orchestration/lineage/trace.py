"""Tracing a published column back to the internal dataset's columns, step by step.

The edges come from Dagster's own metadata: dagster-dbt records each model's column lineage
(`dagster/column_lineage`, computed by sqlglot from the compiled SQL) on its materializations.
Where a model has none (a Python model), the manifest's declared inputs stand in. The walk
stops at a raw asset (the internal dataset's columns, as loaded), a seed (a rule table) or
the stewards' corrections (the rule tables' reviewed part, orchestration/corrections/).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import dagster as dg

from orchestration.corrections.table import CORRECTIONS_ASSET_KEY, TABLE
from orchestration.lineage.manifest import ManifestIndex

Edges = Mapping[str, list[tuple[dg.AssetKey, str]]]
LineageLookup = Callable[[dg.AssetKey], Edges | None]


@dataclass(frozen=True)
class Step:
    """One model a column passes through, and what it does there."""

    model: str
    column: str
    rules: tuple[str, ...]
    description: str


@dataclass
class ColumnTrace:
    field: str
    source_columns: list[str] = field(default_factory=list)  # internal dataset's fields
    sources: list[str] = field(default_factory=list)  # the sources those fields belong to
    # seeds (and the stewards' corrections) a value comes from
    rule_tables: list[str] = field(default_factory=list)
    steps: list[Step] = field(default_factory=list)
    unresolved: list[str] = field(default_factory=list)  # model.column with no known inputs

    @property
    def derived(self) -> bool:
        """No internal column reaches it directly: computed, or taken from rule tables."""
        return not self.source_columns


def latest_column_lineage(instance: dg.DagsterInstance) -> LineageLookup:
    """Column lineage from each asset's latest materialization, cached per asset."""
    cache: dict[dg.AssetKey, Edges | None] = {}

    def lookup(key: dg.AssetKey) -> Edges | None:
        if key not in cache:
            event = instance.get_latest_materialization_event(key)
            materialization = event.asset_materialization if event else None
            value = (materialization.metadata if materialization else {}).get(
                "dagster/column_lineage"
            )
            lineage = getattr(value, "value", value)
            cache[key] = (
                {
                    column: [(dep.asset_key, dep.column_name) for dep in deps]
                    for column, deps in lineage.deps_by_column.items()
                }
                if lineage is not None
                else None
            )
        return cache[key]

    return lookup


def trace_column(
    mart: dg.AssetKey,
    column: str,
    *,
    raw_assets: Mapping[dg.AssetKey, str],
    lookup: LineageLookup,
    manifest: ManifestIndex,
) -> ColumnTrace:
    """Walk `column` of `mart` upstream; `raw_assets` maps raw asset keys to source names."""
    trace = ColumnTrace(field=column)
    seen: set[tuple[dg.AssetKey, str]] = set()
    frontier = [(mart, column)]
    while frontier:
        key, name = frontier.pop(0)
        if (key, name) in seen:
            continue
        seen.add((key, name))
        model = key.path[-1]
        if key in raw_assets:
            trace.source_columns.append(name)
            trace.sources.append(raw_assets[key])
            continue
        if manifest.is_seed(model):
            trace.rule_tables.append(f"{model}.{name}")
            continue
        if key == CORRECTIONS_ASSET_KEY:
            trace.rule_tables.append(f"{TABLE}.{name}")
            continue
        trace.steps.append(
            Step(model, name, tuple(manifest.rules(model, name)), manifest.description(model))
        )
        edges = lookup(key)
        upstream = edges.get(name) if edges is not None else None
        if upstream is None:
            declared = manifest.declared_inputs(model, name)
            upstream = (
                [(dg.AssetKey(parent), parent_column) for parent, parent_column in declared]
                if declared is not None
                else None
            )
        if upstream is None:
            trace.unresolved.append(f"{model}.{name}")
            continue
        frontier.extend(upstream)
    trace.source_columns = sorted(set(trace.source_columns))
    trace.sources = sorted(set(trace.sources))
    trace.rule_tables = sorted(set(trace.rule_tables))
    return trace
