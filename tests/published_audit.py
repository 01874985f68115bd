"""What every public portal a test left behind holds, checked against the privacy rules.

Each test checks the rows it publishes; this audit runs once after the whole suite over every
local portal's store under pytest's temporary directory, so a row one test left published
that the rules forbid is caught even if that test looked elsewhere. Rules checked on each
published dataset the catalog names:
- only the catalog's public columns exist (no caller, requester, officer or subject identity,
  no narrative);
- no call for service of a juvenile type, by code or text (seeds/juvenile_call_types.csv);
- no number in a published address of a call for service other than a hundred-block, an
  ordinal street or a reviewed named place, and no unit designator (tests/privacy/addresses.py);
- no juvenile's exact age in use of force (it is published as "Juvenile").
"""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb

from orchestration.catalog import PUBLISHED_DATASETS, PublishedDataset
from tests.privacy.addresses import unsafe_parts
from tooling.local_portal.schema import table_name

SEEDS = Path(__file__).resolve().parent.parent / "dbt_project" / "seeds"
SYSTEM_COLUMNS = {":id", ":created_at", ":updated_at"}


def juvenile_types() -> tuple[set[str], set[str]]:
    with (SEEDS / "juvenile_call_types.csv").open(newline="") as seed:
        rows = list(csv.DictReader(seed))
    return {row["type_code"].upper() for row in rows}, {row["type_text"].upper() for row in rows}


def _violations_of(
    connection: duckdb.DuckDBPyConnection, dataset: PublishedDataset, table: str
) -> list[str]:
    columns = {row[0] for row in connection.execute(f"describe {table}").fetchall()}
    found = []
    extra = columns - set(dataset.public_field_names) - SYSTEM_COLUMNS
    if extra:
        found.append(f"{dataset.public_dataset_id} publishes non-public columns {sorted(extra)}")
    if dataset.public_dataset_id == "nopd-cfs1":
        codes, texts = juvenile_types()
        if {"type_", "typetext"} <= columns:
            (count,) = connection.execute(
                f"select count(*) from {table} where upper(trim(type_)) in (select unnest(?)) "
                "or upper(trim(typetext)) in (select unnest(?))",
                [sorted(codes), sorted(texts)],
            ).fetchone()
            if count:
                found.append(f"nopd-cfs1 publishes {count} calls of a juvenile type")
        if "block_address" in columns:
            addresses = connection.execute(
                f"select block_address, count(*) from {table} "
                "where block_address is not null group by 1"
            ).fetchall()
            count = sum(rows for address, rows in addresses if unsafe_parts(address))
            if count:
                found.append(f"nopd-cfs1 publishes {count} addresses with a full house number")
    if dataset.public_dataset_id == "nopd-uofp" and "subject_age" in columns:
        (count,) = connection.execute(
            f"select count(*) from {table}, unnest(string_split(subject_age, '|')) as t(age) "
            "where try_cast(trim(age) as integer) < 18"
        ).fetchone()
        if count:
            found.append(f"nopd-uofp publishes {count} exact juvenile ages")
    return found


def audit_portal_stores(root: Path) -> tuple[list[str], int]:
    """Violations in every portal store under `root`, and how many stores were read."""
    violations: list[str] = []
    stores = 0
    for store in sorted(root.rglob("portal.duckdb")):
        try:
            connection = duckdb.connect(str(store), read_only=True)
        except duckdb.Error:
            continue  # still held by a server a fixture did not stop; its test checked it
        stores += 1
        try:
            tables = {row[0] for row in connection.execute("show tables").fetchall()}
            for dataset in PUBLISHED_DATASETS:
                table = table_name(dataset.public_dataset_id)
                if table in tables:
                    violations += [
                        f"{store}: {found}"
                        for found in _violations_of(connection, dataset, f'"{table}"')
                    ]
        finally:
            connection.close()
    return violations, stores
