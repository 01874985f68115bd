"""The end-of-suite audit of published rows finds what the privacy rules forbid.

These tests plant forbidden rows, so their stores live outside pytest's temporary directory,
which the audit reads after the suite.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.published_audit import audit_portal_stores
from tooling.local_portal.store import PortalStore


@pytest.fixture
def outside_audit() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="audit-test-") as folder:
        yield Path(folder)


def _publish(folder, dataset_id: str, columns: list[str], rows: list[dict]) -> None:
    with PortalStore(folder) as store:
        store.update_view(
            dataset_id,
            {
                "name": dataset_id,
                "columns": [{"fieldName": name, "dataTypeName": "text"} for name in columns],
            },
        )
        store.upsert(dataset_id, rows)


def test_a_juvenile_call_and_a_full_house_number_are_found(outside_audit):
    _publish(
        outside_audit / "portal",
        "nopd-cfs1",
        ["nopd_item", "type_", "typetext", "block_address"],
        [
            {"nopd_item": "A1", "type_": "21j ", "typetext": "x", "block_address": "030XX Elm St"},
            {"nopd_item": "A2", "type_": "21", "typetext": "y", "block_address": "3021 Elm St"},
            {
                "nopd_item": "A3",
                "type_": "21",
                "typetext": "y",
                "block_address": "Approx Loc:7238 Elm St",
            },
            {
                "nopd_item": "A4",
                "type_": "21",
                "typetext": "y",
                "block_address": "030XX Elm St Apt 4",
            },
            {"nopd_item": "A5", "type_": "21", "typetext": "y", "block_address": "I-10 W & 2nd St"},
        ],
    )
    violations, stores = audit_portal_stores(outside_audit)
    assert stores == 1
    assert any("1 calls of a juvenile type" in found for found in violations)
    assert any("3 addresses with a full house number" in found for found in violations)


def test_a_private_column_and_an_exact_juvenile_age_are_found(outside_audit):
    _publish(
        outside_audit / "portal",
        "nopd-uofp",
        ["pib_file_number", "subject_age", "subject_name"],
        [{"pib_file_number": "FTN1", "subject_age": "34 | 16", "subject_name": "A B"}],
    )
    violations, _ = audit_portal_stores(outside_audit)
    assert any("non-public columns ['subject_name']" in found for found in violations)
    assert any("1 exact juvenile ages" in found for found in violations)


def test_published_rows_within_the_rules_pass(outside_audit):
    _publish(
        outside_audit / "portal",
        "nopd-uofp",
        ["pib_file_number", "subject_age"],
        [{"pib_file_number": "FTN1", "subject_age": "34 | Juvenile"}],
    )
    assert audit_portal_stores(outside_audit) == ([], 1)
