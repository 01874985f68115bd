"""dbt's unit tests pass: the models' SQL gives the rows each unit test expects.

A nightly build leaves them out (orchestration/transform/invocation.py: they check code, not
data), so this is where they run: against a warehouse whose models were built, since dbt
reads the columns of a unit test's inputs from the relations themselves.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
import yaml

from orchestration.transform.project import DBT_PROJECT_DIR
from tests.warehouse_builder import dbt_build, raw_row, write_raw_rows

pytestmark = pytest.mark.integration  # builds a warehouse with dbt: not in make test-fast

DAY = date(2022, 1, 1)


def declared_unit_tests() -> set[str]:
    names = set()
    for path in (DBT_PROJECT_DIR / "models").rglob("*.yml"):
        document = yaml.safe_load(path.read_text()) or {}
        names |= {test["name"] for test in document.get("unit_tests", [])}
    return names


def test_every_dbt_unit_test_passes(tmp_path):
    warehouse = tmp_path / "warehouse.duckdb"
    write_raw_rows(warehouse, [raw_row("A0000122")], DAY)
    window = (DAY, DAY + timedelta(days=1))
    built = dbt_build(warehouse, *window)
    assert built.returncode == 0, built.stdout[-3000:]
    assert not re.search(r"\bunit_test\b", built.stdout), "a build leaves the unit tests out"

    result = dbt_build(warehouse, *window, command="test", select="test_type:unit")

    assert result.returncode == 0, result.stdout[-3000:]
    passed = set(re.findall(r"PASS (\S+)", result.stdout))
    declared = declared_unit_tests()
    assert declared, "the project declares unit tests"
    assert {name.rsplit("::", 1)[-1] for name in passed} >= declared, result.stdout[-3000:]
