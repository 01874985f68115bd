"""Blocking asset checks: each public mart's Soda contract, one Dagster check per contract check.

Soda verifies the whole contract once per run; each declared check becomes its own Dagster
check, so the UI shows which rule failed. A failed ERROR check stops the mart's publish step
(and nothing else); a check whose threshold says `level: warn` only warns. Metadata holds the
counts and a sample of failing row identifiers, never a row's values.
"""

from collections.abc import Iterator
from pathlib import Path

import dagster as dg

from orchestration.catalog import SOURCES, PublishedDataset, Source
from orchestration.partitions import DayWindow, daily_partitions
from orchestration.quality.contract_checks import declared_checks
from orchestration.quality.gate import Verdict, composed_contract, run_gate
from orchestration.quality.soda import contract_path
from orchestration.warehouse.resource import WarehouseResource


def _severity(verdict: Verdict) -> dg.AssetCheckSeverity:
    """WARN for a check that only warns (see `gate.Verdict.warns_only`); ERROR otherwise,
    which blocks the publish step."""
    return dg.AssetCheckSeverity.WARN if verdict.warns_only else dg.AssetCheckSeverity.ERROR


def build_contract_check(
    dataset: PublishedDataset,
    contract: Path | None = None,
    sources: tuple[Source, ...] = SOURCES,
) -> dg.AssetChecksDefinition:
    """The blocking checks of a public mart; `contract` defaults to the mart's own YAML."""
    contract = contract or contract_path(dataset.name)
    document = composed_contract(dataset, contract, sources)
    declared = declared_checks(document)
    specs = [
        dg.AssetCheckSpec(
            name=check.name,
            asset=dataset.mart_asset_key,
            blocking=True,
            partitions_def=daily_partitions,
            description=(
                f"{check.title or check.check_type} ({contract.name}"
                f"{', warns only' if check.warn_only else ''})"
            ),
        )
        for check in declared
    ]

    @dg.multi_asset_check(
        specs=specs,
        name=f"{dataset.name}_contract",
        description=f"The Soda data contract of the public {dataset.title} mart.",
    )
    def contract_checks(
        context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource
    ) -> Iterator[dg.AssetCheckResult]:
        window = DayWindow.from_time_window(context.partition_time_window)
        with warehouse.connect(read_only=True) as connection:
            outcome = run_gate(connection, dataset, window, contract, sources, document)
        for error in outcome.errors:
            context.log.error(f"{dataset.name} contract could not be evaluated: {error}")
        for verdict in outcome.verdicts:
            if verdict.failed:
                context.log.warning(f"{dataset.name} contract check {verdict.describe()}")
            yield dg.AssetCheckResult(
                asset_key=dataset.mart_asset_key,
                check_name=verdict.check.name,
                passed=not verdict.failed,
                severity=_severity(verdict),
                metadata=_metadata(window, verdict, outcome.errors),
            )

    return contract_checks


def _metadata(window: DayWindow, verdict: Verdict, errors: tuple[str, ...]) -> dict[str, object]:
    result, sample = verdict.result, list(verdict.sample)
    metadata: dict[str, object] = {
        "window": f"{window.start}..{window.end}",
        "outcome": result.outcome if result else "NOT_EVALUATED",
        **(result.diagnostics if result else {}),
    }
    if sample:
        metadata["sample_failing_row_ids"] = sample
    if result is None:
        metadata["errors"] = list(errors)
    return metadata
