"""Shared fixtures: one generated fortnight, read back as the portal will load it."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest

from tooling.generator.service_requests import (
    ServiceRequestsSummary,
    write_service_requests_export,
)

# Starts on the fall-back Sunday, so the repeated hour is inside the sample.
FORTNIGHT = (date(2026, 11, 1), date(2026, 11, 14))


def read_rows(path: Path) -> list[dict[str, str]]:
    """Rows of an export CSV (empty strings where values are null)."""
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="session")
def fortnight_export(tmp_path_factory: pytest.TempPathFactory) -> ServiceRequestsSummary:
    """The internal 311 export for 2026-11-01..14 at scale 1.0, as of the midnight after."""
    return write_service_requests_export(tmp_path_factory.mktemp("portal"), *FORTNIGHT)


@pytest.fixture(scope="session")
def fortnight_rows(fortnight_export: ServiceRequestsSummary) -> list[dict[str, str]]:
    return read_rows(fortnight_export.path)
