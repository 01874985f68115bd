"""Shared fixtures: one generated week (so the folder stays fast) and the real rows, if present."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest

from tooling.generator import ExportSummary, write_internal_export

WEEK = (date(2026, 11, 1), date(2026, 11, 7))
REAL_DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"


@pytest.fixture(scope="session")
def week_export(tmp_path_factory: pytest.TempPathFactory) -> ExportSummary:
    """The internal export for 2026-11-01..07 at scale 1.0, written as the portal will read it."""
    return write_internal_export(tmp_path_factory.mktemp("portal"), *WEEK)


@pytest.fixture(scope="session")
def week_rows(week_export: ExportSummary) -> list[dict[str, str]]:
    """The exported rows read back from the CSV (empty strings where values are null)."""
    with week_export.path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="session")
def real_data() -> Path:
    """The real published rows beside the repo; tests comparing against them skip without."""
    if not REAL_DATA.is_dir():
        pytest.skip(f"real city rows not found at {REAL_DATA} (they are never committed)")
    return REAL_DATA
