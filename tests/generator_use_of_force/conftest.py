"""Shared fixtures: generated exports read back as the portal loads them, and the real rows."""

from __future__ import annotations

import csv
from collections import defaultdict
from datetime import date
from functools import cache
from pathlib import Path

import pytest

from tooling.generator.use_of_force import UseOfForceSummary, write_use_of_force_export
from tooling.generator.use_of_force_reference import table

REAL_DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"
# Sixty days at scale 1, and the same length at the largest scale the 4-digit tracking
# numbers allow, where every rare fault is sure to occur (their per-day quotas add up).
SIXTY_DAYS = (date(2026, 9, 1), date(2026, 10, 30))
BUSY_DAYS = (date(2026, 1, 1), date(2026, 3, 1))
BUSY_SCALE = 18.0
YEARS = (date(2021, 1, 1), date(2025, 12, 31))

Row = dict[str, str]


def read_rows(path: Path) -> list[Row]:
    """Rows of an export CSV (empty strings where values are null)."""
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def versions(rows: list[Row]) -> dict[tuple[str, str], list[Row]]:
    """Rows grouped by incident version: (tracking number, ``:updated_at``)."""
    grouped: dict[tuple[str, str], list[Row]] = defaultdict(list)
    for row in rows:
        grouped[(row["pib_file_number"], row[":updated_at"])].append(row)
    return grouped


def latest(rows: list[Row]) -> list[Row]:
    """The rows of each incident's latest version, as the pipeline keeps them."""
    newest: dict[str, str] = {}
    for row in rows:
        number = row["pib_file_number"]
        newest[number] = max(newest.get(number, ""), row[":updated_at"])
    return [row for row in rows if row[":updated_at"] == newest[row["pib_file_number"]]]


@cache
def corrections() -> dict[tuple[str, str], str]:
    """(column, variant) -> canonical, from the committed corrections table."""
    return {
        (row["column_name"], row["variant"]): row["canonical"]
        for row in table("use_of_force_corrections.csv")
    }


@pytest.fixture(scope="session")
def sixty_days(tmp_path_factory: pytest.TempPathFactory) -> UseOfForceSummary:
    return write_use_of_force_export(tmp_path_factory.mktemp("portal"), *SIXTY_DAYS)


@pytest.fixture(scope="session")
def sixty_day_rows(sixty_days: UseOfForceSummary) -> list[Row]:
    return read_rows(sixty_days.path)


@pytest.fixture(scope="session")
def busy(tmp_path_factory: pytest.TempPathFactory) -> UseOfForceSummary:
    return write_use_of_force_export(
        tmp_path_factory.mktemp("portal"), *BUSY_DAYS, scale=BUSY_SCALE
    )


@pytest.fixture(scope="session")
def busy_rows(busy: UseOfForceSummary) -> list[Row]:
    return read_rows(busy.path)


@pytest.fixture(scope="session")
def years(tmp_path_factory: pytest.TempPathFactory) -> UseOfForceSummary:
    """Five years at scale 1: enough incidents for rates and distributions."""
    return write_use_of_force_export(tmp_path_factory.mktemp("portal"), *YEARS)


@pytest.fixture(scope="session")
def year_rows(years: UseOfForceSummary) -> list[Row]:
    return read_rows(years.path)


@pytest.fixture(scope="session")
def real_data() -> Path:
    """The real published exports beside the repo; tests comparing against them skip without."""
    if not REAL_DATA.is_dir():
        pytest.skip(f"real city rows not found at {REAL_DATA} (they are never committed)")
    return REAL_DATA
