"""The checks a Soda contract declares, read from its YAML, one Dagster check each.

Reading the contract (not Soda's results) gives the list of checks before any run, so the
Dagster UI shows every check of every mart, and a check that Soda could not evaluate still
appears, failed, rather than silently missing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

WARN_LEVEL = "warn"


@dataclass(frozen=True)
class DeclaredCheck:
    """One check of a contract: where it sits, what it is, and how severe a failure is."""

    name: str  # a Dagster check name: column, type and qualifier joined by underscores
    check_type: str
    column: str | None
    qualifier: str | None
    title: str | None
    warn_only: bool
    definition: dict[str, Any]

    def matches(self, column: str | None, check_type: str, qualifier: str | None) -> bool:
        return (self.column, self.check_type, self.qualifier) == (column, check_type, qualifier)


def check_name(column: str | None, check_type: str, qualifier: str | None) -> str:
    raw = "_".join(part for part in (column, check_type, qualifier) if part)
    return re.sub(r"[^A-Za-z0-9_]", "_", raw)


def _declared(column: str | None, item: dict[str, Any]) -> DeclaredCheck:
    [(check_type, definition)] = item.items()
    definition = definition or {}
    threshold = definition.get("threshold") or {}
    return DeclaredCheck(
        name=check_name(column, check_type, definition.get("qualifier")),
        check_type=check_type,
        column=column,
        qualifier=definition.get("qualifier"),
        title=definition.get("name"),
        warn_only=threshold.get("level") == WARN_LEVEL,
        definition=definition,
    )


def load_contract(path: Path) -> dict[str, Any]:
    return yaml.safe_load(path.read_text())


def declared_checks(contract: dict[str, Any]) -> tuple[DeclaredCheck, ...]:
    """Every check of the contract, columns' first, in the order written."""
    checks = [
        _declared(column["name"], item)
        for column in contract.get("columns", [])
        for item in column.get("checks") or []
    ]
    checks += [_declared(None, item) for item in contract.get("checks") or []]
    names = [check.name for check in checks]
    duplicates = {name for name in names if names.count(name) > 1}
    if duplicates:
        raise ValueError(f"contract checks need distinct qualifiers: {sorted(duplicates)}")
    return tuple(checks)
