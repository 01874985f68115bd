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
from orchestration.quality.contract_checks import DeclaredCheck, declared_checks
from orchestration.quality.gate import composed_contract, contract_variables
from orchestration.quality.samples import failing_row_ids
from orchestration.quality.soda import CheckOutcome, contract_path, verify
from orchestration.warehouse.resource import WarehouseResource


def _severity(check: DeclaredCheck, result: CheckOutcome | None) -> dg.AssetCheckSeverity:
    """WARN for a warn-level check, or for a two-level threshold that crossed only its warn
    level (Soda's WARN outcome); ERROR otherwise, which blocks the publish step."""
    warned = result is not None and result.outcome == "WARN"
    return dg.AssetCheckSeverity.WARN if check.warn_only or warned else dg.AssetCheckSeverity.ERROR


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
        variables = contract_variables(dataset, window, sources)
        with warehouse.connect(read_only=True) as connection:
            outcome = verify(connection, contract, variables, document)
            for error in outcome.errors:
                context.log.error(f"{dataset.name} contract could not be evaluated: {error}")
            for check in declared:
                result = next(
                    (
                        o
                        for o in outcome.checks
                        if check.matches(o.column, o.check_type, o.qualifier)
                    ),
                    None,
                )
                failed = result is None or result.outcome in ("FAILED", "WARN")
                sample = (
                    failing_row_ids(connection, dataset, check, document["filter"], variables)
                    if failed and result is not None
                    else []
                )
                if failed:
                    context.log.warning(
                        f"{dataset.name} contract check {check.name} "
                        f"{'not evaluated' if result is None else result.outcome}: "
                        f"{result.diagnostics if result else outcome.errors}"
                    )
                yield dg.AssetCheckResult(
                    asset_key=dataset.mart_asset_key,
                    check_name=check.name,
                    passed=not failed,
                    severity=_severity(check, result),
                    metadata=_metadata(window, result, sample, outcome.errors),
                )

    return contract_checks


def _metadata(
    window: DayWindow, result: CheckOutcome | None, sample: list[str], errors: tuple[str, ...]
) -> dict[str, object]:
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
