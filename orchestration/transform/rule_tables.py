"""The rule tables are rebuilt only when what they are built from has changed.

The `dbt_rules` step loads the rule tables (dbt seeds: call types, dispositions, the
juvenile and sensitive-location lists, the privacy rules) that every source's lane reads.
Loading them again every night, with their tests, took four to six seconds of each run for
tables that change only with a commit. So the step records, in the warehouse, a fingerprint
of everything the tables are built from beside the outcome of their tests, and a run that
finds the same fingerprint and the same table contents does not start dbt: it reports the
tables as current and the recorded test outcomes, naming the run that built and tested them.

What the fingerprint covers (anything else changing makes the step build again):

- every file of the project's seeds, macros and singular tests, `dbt_project.yml`, and the
  models of the rule-table folder (`models/rules`, when the project has one);
- the privacy parameters and the installed dbt, dbt-duckdb and dagster-dbt;
- the contents of any warehouse table those rule models read (a steward's corrections);
- and, checked against what the last build left, the contents of the rule tables themselves:
  a table dropped or edited by hand is rebuilt, never trusted.

A build whose tests failed (at error severity) is not recorded, so the next run builds again.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb

from orchestration.warehouse.sql import quote_literal, table_exists

BUILT_TABLE = "ops.rule_tables_built"
RULE_MODELS_FOLDER = "rules"
FINGERPRINTED_FOLDERS = ("seeds", "macros", "tests", f"models/{RULE_MODELS_FOLDER}")
FINGERPRINTED_FILES = ("dbt_project.yml",)
VERSIONED_PACKAGES = ("dbt-core", "dbt-duckdb", "dagster-dbt")


@dataclass(frozen=True)
class RecordedCheck:
    """One test outcome of the build the fingerprint records, as it is reported again."""

    asset_key: tuple[str, ...]
    check_name: str
    passed: bool
    severity: str

    def as_result(self, built_in_run: str) -> dg.AssetCheckResult:
        return dg.AssetCheckResult(
            asset_key=dg.AssetKey(list(self.asset_key)),
            check_name=self.check_name,
            passed=self.passed,
            severity=dg.AssetCheckSeverity(self.severity),
            metadata={"tested_in_run": built_in_run, "rule_tables_rebuilt": False},
        )


@dataclass(frozen=True)
class RuleTables:
    """The rule tables of a dbt project: the nodes the `dbt_rules` step builds."""

    project_dir: Path
    tables: tuple[str, ...]  # schema.name of each seed and rule model, as dbt writes them
    input_tables: tuple[str, ...]  # schema.name of each warehouse table the rule models read

    @classmethod
    def of_manifest(cls, project_dir: Path, manifest: Mapping[str, Any]) -> RuleTables:
        nodes = [
            node
            for node in manifest.get("nodes", {}).values()
            if node.get("resource_type") == "seed" or _is_rule_model(node)
        ]
        sources = manifest.get("sources", {})
        inputs = {
            _relation(sources[parent])
            for node in nodes
            for parent in node.get("depends_on", {}).get("nodes", [])
            if parent in sources
        }
        return cls(
            project_dir=project_dir,
            tables=tuple(sorted(_relation(node) for node in nodes)),
            input_tables=tuple(sorted(inputs)),
        )

    def fingerprint(
        self, connection: duckdb.DuckDBPyConnection, parameters: Mapping[str, object]
    ) -> str:
        """A digest of everything the rule tables are built from (see the module doc)."""
        files = sorted(_project_files(self.project_dir))
        digest = hashlib.sha256()
        for path in files:
            digest.update(str(path.relative_to(self.project_dir)).encode())
            digest.update(hashlib.sha256(path.read_bytes()).digest())
        versions = [(name, importlib.metadata.version(name)) for name in VERSIONED_PACKAGES]
        inputs = [(table, table_digest(connection, table)) for table in self.input_tables]
        digest.update(json.dumps([dict(parameters), versions, inputs], default=str).encode())
        return digest.hexdigest()

    def contents(self, connection: duckdb.DuckDBPyConnection) -> dict[str, str | None]:
        """Each rule table's content digest (None for a table that is not there)."""
        return {table: table_digest(connection, table) for table in self.tables}


def _is_rule_model(node: Mapping[str, Any]) -> bool:
    fqn = node.get("fqn", [])
    return node.get("resource_type") == "model" and len(fqn) > 2 and fqn[1] == RULE_MODELS_FOLDER


def _relation(node: Mapping[str, Any]) -> str:
    return f"{node['schema']}.{node.get('alias') or node.get('identifier') or node['name']}"


def _project_files(project_dir: Path) -> Iterable[Path]:
    for folder in FINGERPRINTED_FOLDERS:
        root = project_dir / folder
        if root.is_dir():
            yield from (path for path in root.rglob("*") if path.is_file())
    for name in FINGERPRINTED_FILES:
        if (project_dir / name).is_file():
            yield project_dir / name


def table_digest(connection: duckdb.DuckDBPyConnection, table: str) -> str | None:
    """An order-independent digest of a table's rows (None when the table does not exist)."""
    if not table_exists(connection, table):
        return None
    count, total, xor = connection.execute(
        f"select count(*), coalesce(sum(hash(t)::hugeint), 0), coalesce(bit_xor(hash(t)), 0) "
        f"from {table} as t"
    ).fetchone()
    return f"{count}:{total}:{xor}"


@dataclass(frozen=True)
class RecordedBuild:
    """The last build of the rule tables whose tests held, as the warehouse records it."""

    fingerprint: str
    contents: dict[str, str | None]
    checks: tuple[RecordedCheck, ...]
    run_id: str
    built_at: str


def recorded_build(connection: duckdb.DuckDBPyConnection) -> RecordedBuild | None:
    if not table_exists(connection, BUILT_TABLE):
        return None
    row = connection.execute(
        f"select fingerprint, contents, checks, run_id, built_at from {BUILT_TABLE}"
    ).fetchone()
    if row is None:
        return None
    fingerprint, contents, checks, run_id, built_at = row
    return RecordedBuild(
        fingerprint=fingerprint,
        contents=json.loads(contents),
        checks=tuple(
            RecordedCheck(tuple(c["asset_key"]), c["check_name"], c["passed"], c["severity"])
            for c in json.loads(checks)
        ),
        run_id=run_id,
        built_at=str(built_at),
    )


def unchanged_build(
    connection: duckdb.DuckDBPyConnection,
    tables: RuleTables,
    parameters: Mapping[str, object],
) -> tuple[RecordedBuild | None, str]:
    """The recorded build, if the rule tables are still exactly what it left; and the
    fingerprint of what they would be built from now."""
    fingerprint = tables.fingerprint(connection, parameters)
    recorded = recorded_build(connection)
    if recorded is None or recorded.fingerprint != fingerprint:
        return None, fingerprint
    if None in recorded.contents.values() or recorded.contents != tables.contents(connection):
        return None, fingerprint
    return recorded, fingerprint


def record_build(
    connection: duckdb.DuckDBPyConnection,
    tables: RuleTables,
    fingerprint: str,
    checks: Sequence[RecordedCheck],
    run_id: str,
) -> None:
    """Record a build whose tests held (replacing the one before)."""
    contents = json.dumps(tables.contents(connection))
    recorded = json.dumps(
        [
            {
                "asset_key": list(c.asset_key),
                "check_name": c.check_name,
                "passed": c.passed,
                "severity": c.severity,
            }
            for c in checks
        ]
    )
    built_at = datetime.now(UTC).replace(tzinfo=None).isoformat()
    connection.execute("create schema if not exists ops")
    connection.execute(
        f"create or replace table {BUILT_TABLE} as select "
        f"{quote_literal(fingerprint)} as fingerprint, {quote_literal(contents)} as contents, "
        f"{quote_literal(recorded)} as checks, {quote_literal(run_id)} as run_id, "
        f"cast({quote_literal(built_at)} as timestamp) as built_at"
    )


def recorded_check(result: dg.AssetCheckResult) -> RecordedCheck:
    return RecordedCheck(
        asset_key=tuple(result.asset_key.path),
        check_name=result.check_name,
        passed=result.passed,
        severity=result.severity.value,
    )
