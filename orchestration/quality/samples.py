"""A sample of the row identifiers behind a failed contract check, never their values.

The data engineer needs to find the failing rows; the Dagster UI must not show private
values. So the sample holds only published row identifiers, read with the check's own
condition.
"""

from __future__ import annotations

import re

import duckdb

from orchestration.catalog import PublishedDataset
from orchestration.quality.contract_checks import DeclaredCheck
from orchestration.warehouse.sql import quote_identifier, quote_literal

SAMPLE_SIZE = 5


def substitute(text: str, variables: dict[str, str]) -> str:
    return re.sub(r"\$\{var\.([A-Za-z0-9_]+)\}", lambda m: variables[m.group(1)], text)


def failing_condition(check: DeclaredCheck) -> str | None:
    """SQL true for a failing row of a column or expression check, where one exists."""
    column = quote_identifier(check.column) if check.column else None
    definition = check.definition
    if check.check_type == "missing" and column:
        return f"{column} is null"
    if check.check_type == "invalid" and column:
        if "valid_values" in definition:
            values = ", ".join(quote_literal(v) for v in definition["valid_values"])
            return f"{column} is not null and {column} not in ({values})"
        if "valid_format" in definition:
            pattern = quote_literal(definition["valid_format"]["regex"])
            return f"{column} is not null and not regexp_matches({column}, {pattern})"
    if check.check_type == "failed_rows" and "expression" in definition:
        return f"({definition['expression']})"
    return None


def failing_row_ids(
    connection: duckdb.DuckDBPyConnection,
    dataset: PublishedDataset,
    check: DeclaredCheck,
    contract_filter: str,
    variables: dict[str, str],
) -> list[str]:
    """Up to SAMPLE_SIZE row identifiers failing `check` in the window."""
    row_id = quote_identifier(dataset.row_identifier)
    window = substitute(contract_filter, variables)
    if check.check_type == "failed_rows" and "query" in check.definition:
        sql = f"select * from ({substitute(check.definition['query'], variables)}) limit ?"
    elif check.check_type == "duplicate" and check.column:
        column = quote_identifier(check.column)
        sql = (
            f"select min({row_id}) from {dataset.mart_table} where {window} "
            f"group by {column} having count(*) > 1 limit ?"
        )
    elif condition := failing_condition(check):
        condition = substitute(condition, variables)
        sql = f"select {row_id} from {dataset.mart_table} where ({window}) and {condition} limit ?"
    else:
        return []
    return [str(row[0]) for row in connection.execute(sql, [SAMPLE_SIZE]).fetchall()]
