"""Use of force under attack: generated incidents through the real dbt build.

200 hypothesis-drawn incidents (1-8 rows each) are written to one raw day and built once;
every property is then checked on every incident. See `collect.py` for the batching.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from tests.privacy.build import build_models
from tests.privacy.collect import draw_examples
from tests.privacy.private_values import leaked
from tests.privacy.use_of_force_records import DAY, Incident, incidents
from tests.warehouse_builder import UOF_FIELDS, query, write_raw_rows

pytestmark = pytest.mark.slow

EXAMPLES = 200


def pib(index: int) -> str:
    return f"FTN2026-{index:04d}"


@pytest.fixture(scope="module")
def drawn() -> list[Incident]:
    return draw_examples(incidents(), EXAMPLES)


@pytest.fixture(scope="module")
def published(drawn, tmp_path_factory) -> dict[str, dict]:
    """The public mart's rows by pib_file_number, after one build over every incident."""
    warehouse = tmp_path_factory.mktemp("privacy_uof") / "warehouse.duckdb"
    rows = [
        {**row, "pib_file_number": pib(index)}
        for index, incident in enumerate(drawn)
        for row in incident.rows
    ]
    write_raw_rows(warehouse, rows, DAY, table="raw.use_of_force", fields=UOF_FIELDS)
    build_models(warehouse, DAY, DAY + timedelta(days=1))
    columns = [row[0] for row in query(warehouse, "describe marts.use_of_force")]
    return {
        row[0]: dict(zip(columns, row, strict=True))
        for row in query(warehouse, "select * from marts.use_of_force")
    }


def test_the_batch_exercises_every_attack(drawn, published):
    """Not a privacy property: proof that the draw reached the cases the properties are about."""
    print(f"{len(drawn)} incidents, {sum(len(i.rows) for i in drawn)} rows, "
          f"{sum(bool(i.juvenile_ages) for i in drawn)} with a juvenile subject, "
          f"{len(published)} published")  # fmt: skip
    assert len(drawn) == EXAMPLES
    assert sum(bool(i.juvenile_ages) for i in drawn) >= 30
    assert len(published) >= 150


def test_no_published_value_contains_a_name_birth_date_or_address_from_the_input(drawn, published):
    private = set().union(*(incident.private for incident in drawn))
    leaks = {
        key: found for key, row in published.items() if (found := leaked(row.values(), private))
    }
    assert not leaks, f"{len(leaks)} published incidents leak: {dict(list(leaks.items())[:5])}"


def test_a_juvenile_subjects_exact_age_never_stands_beside_gender_race_and_date(drawn, published):
    exposed = {}
    for index, incident in enumerate(drawn):
        row = published.get(pib(index))
        if not incident.juvenile_ages or row is None:
            continue
        ages = [float(n) for n in re.findall(r"[0-9]+(?:\.[0-9]+)?", row["subject_age"] or "")]
        if any(age < 18 for age in ages):
            exposed[pib(index)] = (row["subject_age"], row["subject_gender"], row["date_occurred"])
    assert not exposed, f"{len(exposed)} incidents publish a juvenile's age: {exposed}"
