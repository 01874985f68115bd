"""Running a Soda Core v4 contract against the warehouse and reading its outcome.

Soda's engine is imported lazily, after its telemetry is switched off: a privacy project
does not phone home, even if someone runs it without the Makefile's environment.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import yaml

CONTRACTS_DIR = Path(__file__).resolve().parent / "contracts"
DATA_SOURCE_NAME = "warehouse"


@dataclass(frozen=True)
class CheckOutcome:
    """One contract check's result, without any row values."""

    name: str
    check_type: str
    column: str | None
    qualifier: str | None
    outcome: str  # PASSED, FAILED, WARN, NOT_EVALUATED, EXCLUDED
    diagnostics: dict[str, Any]

    @property
    def failed(self) -> bool:
        return self.outcome == "FAILED"


@dataclass(frozen=True)
class ContractOutcome:
    contract: str
    checks: tuple[CheckOutcome, ...]
    errors: tuple[str, ...]

    @property
    def passed(self) -> bool:
        return not self.errors and not any(check.failed for check in self.checks)

    @property
    def failed_checks(self) -> tuple[CheckOutcome, ...]:
        return tuple(check for check in self.checks if check.failed)


def contract_path(name: str) -> Path:
    return CONTRACTS_DIR / f"{name}.yml"


def _describe(check: Any) -> str:
    """A readable name: the contract's own, or Soda's default, prefixed by the column."""
    name = check.name or " ".join(part for part in (check.type, check.qualifier) if part)
    return f"{check.column_name}: {name}" if check.column_name else name


def _diagnostics(check_result: Any) -> dict[str, Any]:
    """Soda's numeric diagnostics, and the value its threshold judged (a metric's ratio)."""
    values = {
        key: value
        for key, value in (check_result.diagnostic_metric_values or {}).items()
        if isinstance(value, int | float)
    }
    if isinstance(check_result.threshold_value, int | float):
        values.setdefault("measured_value", check_result.threshold_value)
    return values


def verify(
    connection: duckdb.DuckDBPyConnection,
    contract: Path,
    variables: dict[str, str],
    document: dict[str, Any] | None = None,
) -> ContractOutcome:
    """Verify one contract on an open warehouse connection.

    `document`, when given, is the contract to verify (a composed one, see quality.gate),
    written to a temporary file for Soda, which reads contracts from files only; `contract`
    then only names it.
    """
    if document is None:
        return _verify_file(connection, contract, contract.stem, variables)
    with tempfile.TemporaryDirectory(prefix="contract-") as directory:
        path = Path(directory) / contract.name
        path.write_text(yaml.safe_dump(document, sort_keys=False))
        return _verify_file(connection, path, contract.stem, variables)


def _verify_file(
    connection: duckdb.DuckDBPyConnection, contract: Path, name: str, variables: dict[str, str]
) -> ContractOutcome:
    os.environ["SODA_CORE_TELEMETRY_ENABLED"] = "false"
    from soda_core.contracts.api.verify_api import verify_contract_locally
    from soda_duckdb.common.data_sources.duckdb_data_source import DuckDBDataSourceImpl

    data_source = DuckDBDataSourceImpl.from_existing_cursor(connection.cursor(), DATA_SOURCE_NAME)
    session = verify_contract_locally(
        data_sources=[data_source],
        contract_file_path=str(contract),
        variables=variables,
    )
    checks: list[CheckOutcome] = []
    for result in session.contract_verification_results:
        for check_result in result.check_results:
            check = check_result.check
            checks.append(
                CheckOutcome(
                    name=_describe(check),
                    check_type=check.type,
                    column=check.column_name,
                    qualifier=check.qualifier,
                    outcome=check_result.outcome.name,
                    diagnostics=_diagnostics(check_result),
                )
            )
    errors = tuple(session.get_errors())
    return ContractOutcome(contract=name, checks=tuple(checks), errors=errors)
