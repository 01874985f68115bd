"""A calls-for-service mart written by hand, a public portal, and a client that publishes."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb
import pytest
import requests

from orchestration.catalog import CALLS_FOR_SERVICE
from orchestration.socrata.client import SocrataClient
from orchestration.warehouse.sql import quote_identifier
from tests.public_datasets import seed_view, seeded_view
from tooling.local_portal.server import PortalHandle, serve_in_thread

DATASET = CALLS_FOR_SERVICE.published
DATASET_ID = DATASET.public_dataset_id
DAY = date(2026, 11, 2)
SQL_TYPES = {"number": "double", "calendar_date": "timestamp"}


def mart_row(number: int, day: date = DAY, **values: object) -> dict[str, object]:
    """A closed call of `day`; `values` override columns."""
    created = datetime.combine(day, datetime.min.time()) + timedelta(minutes=7 * number)
    row: dict[str, object] = {
        "nopd_item": f"K{number:05d}-26",
        "type_": "21",
        "typetext": "COMPLAINT OTHER",
        "priority": "1J",
        "mapx": 3_680_000 + number,
        "mapy": 530_000,
        "timecreate": created,
        "timeclosed": created + timedelta(minutes=40),
        "disposition": "RTF",
        "beat": "6E04",
        "block_address": "025XX Canal St",
        "zip": "70119",
        "policedistrict": "1",
    }
    return row | values


@dataclass
class Mart:
    """The warehouse file holding `marts.calls_for_service`, rewritten by tests."""

    path: Path

    def write(self, rows: list[dict[str, object]]) -> None:
        columns = DATASET.public_columns
        with duckdb.connect(str(self.path)) as connection:
            connection.execute("create schema if not exists marts")
            definitions = ", ".join(
                f"{quote_identifier(c.field_name)} {SQL_TYPES.get(c.data_type, 'varchar')}"
                for c in columns
            )
            connection.execute(f"create or replace table {DATASET.mart_table} ({definitions})")
            placeholders = ", ".join("?" for _ in columns)
            if not rows:
                return
            connection.executemany(
                f"insert into {DATASET.mart_table} values ({placeholders})",
                [[row.get(c.field_name) for c in columns] for row in rows],
            )

    def connect(self) -> duckdb.DuckDBPyConnection:
        return duckdb.connect(str(self.path))


@pytest.fixture
def mart(tmp_path: Path) -> Mart:
    return Mart(tmp_path / "warehouse.duckdb")


@pytest.fixture
def portal(tmp_path: Path) -> Iterator[PortalHandle]:
    """The public portal, its calls-for-service dataset created as provisioning leaves it."""
    with serve_in_thread(tmp_path / "public", username="publisher", password="pw") as handle:
        seed_view(handle.url, DATASET_ID, seeded_view(DATASET))
        yield handle


@pytest.fixture
def client(portal: PortalHandle) -> Iterator[SocrataClient]:
    with SocrataClient(
        f"{portal.host}:{portal.port}", username="publisher", password="pw", backoff_s=0.01
    ) as socrata:
        yield socrata


def writes(portal: PortalHandle) -> list[dict]:
    """The row-carrying requests the portal answered, oldest first."""
    entries = requests.get(f"{portal.url}/_portal/requests", timeout=5).json()
    return [e for e in entries if e["method"] in ("POST", "PUT") and e["path"].startswith("/res")]


def forget_requests(portal: PortalHandle) -> None:
    requests.delete(f"{portal.url}/_portal/requests", timeout=5).raise_for_status()


def portal_rows(client: SocrataClient) -> dict[str, dict[str, str]]:
    rows = [row for page in client.iter_pages(DATASET_ID, select="*") for row in page]
    return {row["nopd_item"]: row for row in rows}
