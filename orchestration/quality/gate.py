"""A mart's whole contract: its own YAML, plus the checks every source's mart carries.

The source-independent checks (reconciliation from raw to published, rows assigned to the
right day, no empty day that had source rows) live once, in `contracts/_source_gate.yml`,
and read the tables they check from variables the catalog fills in. So a new source gets them
by being in the catalog, and no source's contract copies them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from orchestration.catalog import SOURCES, PublishedDataset, Source, source_of
from orchestration.partitions import DayWindow
from orchestration.quality.contract_checks import load_contract
from orchestration.quality.soda import CONTRACTS_DIR, contract_path

SOURCE_GATE = CONTRACTS_DIR / "_source_gate.yml"


def composed_contract(
    dataset: PublishedDataset,
    contract: Path | None = None,
    sources: tuple[Source, ...] = SOURCES,
) -> dict[str, Any]:
    """The mart's contract document, with the source gate's checks when it has a source."""
    document = load_contract(contract or contract_path(dataset.name))
    if source_of(dataset.name, sources) is None:
        return document
    gate = load_contract(SOURCE_GATE)
    return {
        **document,
        "variables": {**gate["variables"], **(document.get("variables") or {})},
        "checks": [*(document.get("checks") or []), *gate["checks"]],
    }


def contract_variables(
    dataset: PublishedDataset, window: DayWindow, sources: tuple[Source, ...] = SOURCES
) -> dict[str, str]:
    """The run's window, the catalog's table names, and the privacy parameters of the source.

    The contract reads the same parameters the models were built with, so the rule and its
    check cannot drift apart.
    """
    variables = {
        "WINDOW_START": window.start.isoformat(),
        "WINDOW_END": window.end.isoformat(),
        "MART_TABLE": dataset.mart_table,
        "ROW_ID": dataset.row_identifier,
        "DAY_FIELD": dataset.day_field,
    }
    source = source_of(dataset.name, sources)
    if source is not None:
        variables |= {k.upper(): str(v) for k, v in source.privacy.items()}
        variables |= {"RAW_TABLE": source.raw_table, "ROW_FATES_TABLE": source.row_fates_table}
    return variables
