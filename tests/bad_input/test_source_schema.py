"""The source layout check's column lists, against the exports and layouts they judge.

Fast: no portal or run. The pipeline tests of test_layout_defects.py show the check at work.
"""

from __future__ import annotations

import pytest

from orchestration.catalog import CALLS_FOR_SERVICE, SOURCES
from orchestration.ingest.source_layout import REQUIRED_COLUMNS, source_layout
from tests.warehouse_builder import RAW_FIELDS
from tooling.generator import calls_for_service, service_requests, use_of_force

GENERATED_FIELDS = {
    "calls_for_service": calls_for_service.FIELDS,
    "service_requests_311": tuple(f for f, _, _ in service_requests.COLUMN_META),
    "use_of_force": tuple(f for f, _, _ in use_of_force.COLUMN_META),
}


@pytest.mark.parametrize("source", SOURCES, ids=lambda s: s.name)
def test_the_generated_internal_exports_have_every_required_column(source):
    assert source_layout(source, GENERATED_FIELDS[source.name]).missing == ()


@pytest.mark.parametrize("source", SOURCES, ids=lambda s: s.name)
def test_required_columns_are_the_raw_fields_the_models_are_tested_on(source):
    assert {c.name for c in REQUIRED_COLUMNS[source.name]} == set(RAW_FIELDS[source.name])


def test_an_older_spelling_satisfies_a_required_column_and_is_reported():
    fields = [f if f != "timearrive" else "timearrival" for f in calls_for_service.FIELDS]
    layout = source_layout(CALLS_FOR_SERVICE, fields)
    assert layout.missing == ()
    assert layout.aliases_used == {"timearrive": "timearrival"}


def test_a_column_under_an_unknown_name_is_missing():
    fields = [f if f != "timeclosed" else "timeclose" for f in calls_for_service.FIELDS]
    assert [c.name for c in source_layout(CALLS_FOR_SERVICE, fields).missing] == ["timeclosed"]
