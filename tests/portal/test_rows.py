"""Upsert payloads: validation, rendering of values, and folding objects per row."""

from __future__ import annotations

import pytest

from tooling.local_portal.errors import PortalError
from tooling.local_portal.rows import Change, plan_upsert, render_value

COLUMNS = {"nopd_item": "text", "mapx": "number", "timecreate": "calendar_date", "note": "text"}


def test_values_are_stored_as_the_text_socrata_hands_back():
    assert render_value(3, "number") == "3"
    assert render_value(2.0, "number") == "2"
    assert render_value(-90.07, "number") == "-90.07"
    assert render_value(True, "checkbox") == "true"
    assert render_value("2022-01-01T01:07:00", "calendar_date") == "2022-01-01T01:07:00.000"
    assert render_value({"latitude": 29.9}, "point") == '{"latitude":29.9}'


def test_empty_strings_and_nulls_are_null():
    assert render_value("", "text") is None
    assert render_value(None, "number") is None


@pytest.mark.parametrize(
    ("value", "data_type"),
    [
        ("many", "number"),
        (float("inf"), "number"),
        ("yesterday", "calendar_date"),
        ("2022-01-01T00:00:00Z", "calendar_date"),
    ],
)
def test_values_that_do_not_fit_the_column_type_are_refused(value, data_type):
    with pytest.raises(ValueError):
        render_value(value, data_type)


def test_objects_for_one_row_fold_into_one_change_in_payload_order():
    plan = plan_upsert(
        [
            {"nopd_item": "A1", "mapx": 1},
            {"nopd_item": "A2", "note": "x"},
            {"nopd_item": "A1", "note": "later"},
        ],
        COLUMNS,
        "nopd_item",
    )
    assert plan.changes == [
        Change("A1", values={"nopd_item": "A1", "mapx": "1", "note": "later"}),
        Change("A2", values={"nopd_item": "A2", "note": "x"}),
    ]
    assert plan.fields == ["nopd_item", "mapx", "note"]


def test_a_row_deleted_then_sent_again_replaces_the_whole_row():
    plan = plan_upsert(
        [{"nopd_item": "A1", ":deleted": True}, {"nopd_item": "A1", "note": "new"}],
        COLUMNS,
        "nopd_item",
    )
    assert plan.changes == [Change("A1", values={"nopd_item": "A1", "note": "new"}, full=True)]


def test_rows_may_be_named_by_id_and_are_appended_without_a_row_identifier():
    plan = plan_upsert(
        [{":id": "row-aaaa-bbbb-cccc", ":deleted": True}, {"note": "new"}], COLUMNS, None
    )
    assert plan.changes == [
        Change("row-aaaa-bbbb-cccc", by_sid=True, delete=True),
        Change(None, values={"note": "new"}),
    ]


@pytest.mark.parametrize(
    ("rows", "row_identifier", "message"),
    [
        ({"nopd_item": "A1"}, "nopd_item", "must be a JSON array"),
        (["A1"], "nopd_item", "row 0: expected a JSON object"),
        ([{"nopd_item": "A1", "beat": "1"}], "nopd_item", "Illegal field name sent: beat"),
        ([{"note": "x"}], "nopd_item", "the row identifier nopd_item is missing"),
        ([{"note": "x", ":deleted": True}], None, "':deleted' needs ':id'"),
        ([{"nopd_item": "A1", ":deleted": "yes"}], "nopd_item", "must be true or false"),
        ([{"nopd_item": "A1", "mapx": "many"}], "nopd_item", "row 0, field mapx: 'many' is not"),
    ],
)
def test_invalid_payloads_are_refused_with_400(rows, row_identifier, message):
    with pytest.raises(PortalError, match=message) as refused:
        plan_upsert(rows, COLUMNS, row_identifier)
    assert refused.value.status == 400
