"""A mart's whole contract: its own YAML, plus the checks every source's mart carries.

The source-independent checks (reconciliation from raw to published, rows assigned to the
right day, no empty day that had source rows) live once, in `contracts/_source_gate.yml`,
and read the tables they check from variables the catalog fills in. So a new source gets them
by being in the catalog, and no source's contract copies them.

`run_gate` verifies the composed contract over a window and says which checks block a
publish: the one runner behind the partitions' asset checks and the full refresh's check.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import duckdb

from orchestration.catalog import SOURCES, PublishedDataset, Source, source_of
from orchestration.partitions import DayWindow
from orchestration.quality.contract_checks import DeclaredCheck, declared_checks, load_contract
from orchestration.quality.samples import failing_row_ids
from orchestration.quality.soda import CONTRACTS_DIR, CheckOutcome, contract_path, verify
from orchestration.warehouse.sql import quote_identifier, table_exists

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


@dataclass(frozen=True)
class Verdict:
    """One declared check of a contract run: Soda's result (None when Soda could not evaluate
    it) and, when it failed, a sample of the failing row identifiers (never values)."""

    check: DeclaredCheck
    result: CheckOutcome | None
    sample: tuple[str, ...] = ()

    @property
    def failed(self) -> bool:
        return self.result is None or self.result.outcome in ("FAILED", "WARN")

    @property
    def warns_only(self) -> bool:
        """A warn-level check, or a two-level threshold that crossed only its warn level
        (Soda's WARN outcome): it is reported, and stops nothing."""
        return self.check.warn_only or (self.result is not None and self.result.outcome == "WARN")

    @property
    def blocks(self) -> bool:
        return self.failed and not self.warns_only

    def describe(self) -> str:
        outcome = "not evaluated" if self.result is None else self.result.outcome
        diagnostics = self.result.diagnostics if self.result else {}
        sample = f", such as rows {list(self.sample)}" if self.sample else ""
        return f"{self.check.name} {outcome}: {diagnostics}{sample}"


@dataclass(frozen=True)
class GateOutcome:
    """A mart's whole contract over a window, check by declared check."""

    dataset: str
    window: DayWindow
    verdicts: tuple[Verdict, ...]
    errors: tuple[str, ...]

    @property
    def blocking(self) -> tuple[Verdict, ...]:
        return tuple(verdict for verdict in self.verdicts if verdict.blocks)

    @property
    def passed(self) -> bool:
        """No check that blocks a publish failed (warnings do not stop one)."""
        return not self.blocking


def history_window(
    connection: duckdb.DuckDBPyConnection,
    dataset: PublishedDataset,
    sources: tuple[Source, ...] = SOURCES,
) -> DayWindow | None:
    """The mart's whole history as one window: from the first to the day after the last
    local day holding a mart row or, for a source's mart, a raw row. None when neither holds
    any.

    The end is the data's, not a far-off date: the contracts judge freshness against the
    window's end, and a mart that lags its raw rows must fail it. Raw days count so that a
    mart missing days (or emptied) is measured against them.
    """
    day = quote_identifier(dataset.day_field)
    spans = [f"select min(cast({day} as date)), max(cast({day} as date)) from {dataset.mart_table}"]
    source = source_of(dataset.name, sources)
    if source is not None and table_exists(connection, source.raw_table):
        spans.append(f"select min(_partition_date), max(_partition_date) from {source.raw_table}")
    first, last = connection.execute(
        f"select min(first_day), max(last_day) from ({' union all '.join(spans)}) "
        "as spans(first_day, last_day)"
    ).fetchone()
    return None if first is None else DayWindow(first, last + timedelta(days=1))


def run_gate(
    connection: duckdb.DuckDBPyConnection,
    dataset: PublishedDataset,
    window: DayWindow,
    contract: Path | None = None,
    sources: tuple[Source, ...] = SOURCES,
    document: dict[str, Any] | None = None,
) -> GateOutcome:
    """Verify the mart's composed contract over `window` on an open warehouse connection.

    The one runner of the quality gate: the blocking asset checks of each partition
    (orchestration/defs/quality.py) and the full refresh, which checks the whole history
    before it replaces a public dataset (orchestration/defs/publish.py), both call it, so
    the two cannot judge a mart differently. `document` is the composed contract when the
    caller already holds it.
    """
    contract = contract or contract_path(dataset.name)
    document = document or composed_contract(dataset, contract, sources)
    variables = contract_variables(dataset, window, sources)
    outcome = verify(connection, contract, variables, document)
    verdicts = []
    for check in declared_checks(document):
        result = next(
            (o for o in outcome.checks if check.matches(o.column, o.check_type, o.qualifier)),
            None,
        )
        verdict = Verdict(check, result)
        if verdict.failed and result is not None:
            sample = failing_row_ids(connection, dataset, check, document["filter"], variables)
            verdict = Verdict(check, result, tuple(sample))
        verdicts.append(verdict)
    return GateOutcome(dataset.name, window, tuple(verdicts), outcome.errors)
