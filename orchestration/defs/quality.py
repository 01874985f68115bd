"""Blocking asset checks: each public mart's Soda contract, verified for the run's window.

A failed contract stops the mart's publish step (and nothing else). The check's metadata
names each contract check with its outcome and counts, never a row's values.
"""

from pathlib import Path

import dagster as dg

from orchestration.catalog import SOURCES, PublishedDataset, Source
from orchestration.partitions import DayWindow, daily_partitions
from orchestration.quality.soda import contract_path, verify
from orchestration.warehouse.resource import WarehouseResource


def outcome_table(outcome) -> str:
    lines = ["| check | column | outcome | diagnostics |", "| --- | --- | --- | --- |"]
    for check in outcome.checks:
        diagnostics = ", ".join(f"{key}={value:g}" for key, value in check.diagnostics.items())
        lines.append(f"| {check.name} | {check.column or ''} | {check.outcome} | {diagnostics} |")
    return "\n".join(lines)


def contract_variables(
    dataset: PublishedDataset, window: DayWindow, sources: tuple[Source, ...] = SOURCES
) -> dict[str, str]:
    """The run's window, and the privacy parameters of the catalog the contract checks against.

    The contract reads the same parameters the models were built with, so the rule and its
    check cannot drift apart.
    """
    source = next((s for s in sources if s.published == dataset), None)
    parameters = {
        key.upper(): str(value) for key, value in (source.privacy if source else {}).items()
    }
    return {
        **parameters,
        "WINDOW_START": window.start.isoformat(),
        "WINDOW_END": window.end.isoformat(),
    }


def build_contract_check(
    dataset: PublishedDataset,
    contract: Path | None = None,
    sources: tuple[Source, ...] = SOURCES,
) -> dg.AssetChecksDefinition:
    """The blocking check of a public mart; `contract` defaults to the mart's own YAML."""
    contract = contract or contract_path(dataset.name)

    @dg.asset_check(
        asset=dataset.mart_asset_key,
        name="soda_contract",
        blocking=True,
        partitions_def=daily_partitions,
        description=(
            f"The Soda data contract of the public {dataset.title} mart "
            f"({contract.name}): schema, identity, privacy and "
            "validity, for the run's partition window. Blocks publishing when it fails."
        ),
    )
    def contract_check(
        context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource
    ) -> dg.AssetCheckResult:
        window = DayWindow.from_time_window(context.partition_time_window)
        with warehouse.connect(read_only=True) as connection:
            outcome = verify(connection, contract, contract_variables(dataset, window, sources))
        for check in outcome.failed_checks:
            context.log.error(
                f"{dataset.name} contract check failed: {check.name} {check.diagnostics}"
            )
        for error in outcome.errors:
            context.log.error(f"{dataset.name} contract could not be evaluated: {error}")
        return dg.AssetCheckResult(
            passed=outcome.passed,
            severity=dg.AssetCheckSeverity.ERROR,
            metadata={
                "window": f"{window.start}..{window.end}",
                "checks": len(outcome.checks),
                "checks_failed": len(outcome.failed_checks),
                "failed": [check.name for check in outcome.failed_checks],
                "errors": list(outcome.errors),
                "outcomes": dg.MetadataValue.md(outcome_table(outcome)),
            },
        )

    return contract_check
