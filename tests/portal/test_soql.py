"""The SoQL compiler: what each supported clause means, run against a small DuckDB table."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import duckdb
import pytest

from tooling.local_portal.row_ids import row_id, row_order, row_order_sql
from tooling.local_portal.soql import SoqlError, SoqlQuery, compile_query

COLUMNS = {
    "nopd_item": "text",
    "priority": "text",
    "mapx": "number",
    "timecreate": "calendar_date",
    "closed": "checkbox",
}
ROWS = [
    ("row-aaaa-0001", "2026-11-01 10:00:00", "A1", "2A", "9", "2022-01-01T00:07:00.000", "true"),
    ("row-aaaa-0002", "2026-11-01 11:00:00", "A2", "1B", "10", "2022-01-01T23:59:00.000", "false"),
    ("row-aaaa-0003", "2026-11-02 09:30:00", "A3", None, "1.5", "2022-01-02T00:00:00.000", "true"),
    ("row-aaaa-0004", "2026-11-03 08:00:00", "O'Neil", "2A", None, "2021-12-31T23:00:00.000", None),
]


@pytest.fixture(scope="module")
def connection() -> Iterator[duckdb.DuckDBPyConnection]:
    with duckdb.connect() as connection:
        connection.execute(
            'CREATE TABLE t (":id" VARCHAR, ":created_at" TIMESTAMP, ":updated_at" TIMESTAMP, '
            "nopd_item VARCHAR, priority VARCHAR, mapx VARCHAR, timecreate VARCHAR, "
            "closed VARCHAR)"
        )
        for row_id, updated, *values in ROWS:
            connection.execute(
                "INSERT INTO t VALUES (?, ?, ?, ?, ?, ?, ?, ?)", [row_id, updated, updated, *values]
            )
        yield connection


def run(connection: duckdb.DuckDBPyConnection, **query: Any) -> list[dict[str, str]]:
    compiled = compile_query(SoqlQuery(**query), table='"t"', columns=COLUMNS)
    rows = connection.execute(compiled.json_sql, compiled.json_params).fetchall()
    return [json.loads(row[0]) for row in rows]


def items(connection: duckdb.DuckDBPyConnection, where: str, **query: Any) -> list[str]:
    rows = run(connection, select="nopd_item", where=where, order="nopd_item", **query)
    return [row["nopd_item"] for row in rows]


def test_number_columns_compare_numerically(connection):
    assert items(connection, "mapx > 9") == ["A2"]
    assert items(connection, "mapx < '2'") == ["A3"]


def test_text_columns_compare_as_text(connection):
    assert items(connection, "priority >= '2'") == ["A1", "O'Neil"]
    assert items(connection, "priority != '2A'") == ["A2"]


def test_floating_timestamps_of_one_day_are_selected_as_text(connection):
    where = "timecreate >= '2022-01-01T00:00:00' and timecreate < '2022-01-02T00:00:00'"
    assert items(connection, where) == ["A1", "A2"]


@pytest.mark.parametrize(
    "literal", ["2026-11-01T10:30:00", "2026-11-01T10:30:00.000Z", "2026-11-01T05:30:00-05:00"]
)
def test_updated_at_compares_as_a_utc_timestamp(connection, literal):
    assert items(connection, f":updated_at > '{literal}'") == ["A2", "A3", "O'Neil"]


def test_and_binds_tighter_than_or_and_parentheses_regroup(connection):
    assert items(connection, "priority = '1B' or priority = '2A' and mapx > 5") == ["A1", "A2"]
    assert items(connection, "(priority = '1B' or priority = '2A') and mapx > 9.5") == ["A2"]


def test_not_negates_a_condition(connection):
    assert items(connection, "not (mapx > 5)") == ["A3"]


def test_between_is_inclusive_and_typed(connection):
    assert items(connection, "mapx between 1.5 and 9") == ["A1", "A3"]


def test_in_and_not_in_match_listed_values(connection):
    assert items(connection, "nopd_item in ('A1', 'A3')") == ["A1", "A3"]
    assert items(connection, "priority not in ('2A')") == ["A2"]


def test_is_null_and_is_not_null(connection):
    assert items(connection, "priority is null") == ["A3"]
    assert items(connection, "mapx is not null and priority is not null") == ["A1", "A2"]


def test_a_bare_checkbox_column_is_a_condition(connection):
    assert items(connection, "closed") == ["A1", "A3"]


def test_a_doubled_quote_is_a_quote_and_literals_are_bound_not_spliced(connection):
    assert items(connection, "nopd_item = 'O''Neil'") == ["O'Neil"]
    compiled = compile_query(
        SoqlQuery(where="nopd_item = 'x'' or 1=1 --'"), table='"t"', columns=COLUMNS
    )
    assert "or 1=1" not in compiled.sql
    assert "x' or 1=1 --" in compiled.params.values()


def test_backticks_quote_a_column_name(connection):
    assert items(connection, "`mapx` > 9") == ["A2"]


def test_simple_filters_are_equality_on_fields(connection):
    rows = run(connection, select="nopd_item", filters=(("priority", "2A"), ("mapx", "9")))
    assert rows == [{"nopd_item": "A1"}]


def test_json_rows_omit_null_fields_and_carry_every_value_as_text(connection):
    rows = run(connection, where="nopd_item = 'A3'")
    assert rows == [
        {
            "nopd_item": "A3",
            "mapx": "1.5",
            "timecreate": "2022-01-02T00:00:00.000",
            "closed": "true",
        }
    ]


def test_system_fields_appear_only_when_selected_and_render_like_socrata(connection):
    rows = run(connection, select=":*, *", where="nopd_item = 'A1'")
    assert list(rows[0])[:3] == [":id", ":created_at", ":updated_at"]
    assert rows[0][":updated_at"] == "2026-11-01T10:00:00.000Z"
    assert rows[0]["nopd_item"] == "A1"


def test_aggregates_are_named_as_socrata_names_them(connection):
    rows = run(connection, select="count(*), count(priority), max(:updated_at), min(mapx)")
    assert rows == [
        {
            "count": "4",
            "count_priority": "3",
            "max_updated_at": "2026-11-03T08:00:00.000Z",
            "min_mapx": "1.5",
        }
    ]


def test_max_of_a_number_column_is_numeric_and_keeps_the_stored_text(connection):
    assert run(connection, select="max(mapx) as top") == [{"top": "10"}]


def test_group_counts_rows_and_orders_by_an_alias(connection):
    rows = run(connection, select="priority, count(*) as n", group="priority", order="n desc")
    assert rows[0] == {"priority": "2A", "n": "2"}
    assert sorted(row.get("priority", "") for row in rows[1:]) == ["", "1B"]


def test_order_limit_and_offset_page_through_rows(connection):
    pages = [
        run(connection, select="nopd_item", order="mapx desc", limit=2, offset=offset)
        for offset in (0, 2)
    ]
    # Socrata sorts nulls first when descending.
    assert pages == [
        [{"nopd_item": "O'Neil"}, {"nopd_item": "A2"}],
        [{"nopd_item": "A1"}, {"nopd_item": "A3"}],
    ]


def test_rows_are_ordered_by_id_when_no_order_is_given_and_id_breaks_ties():
    by_id = row_order_sql('":id"')  # the portal's row order, not the texts' (row_ids.py)
    plain = compile_query(SoqlQuery(), table='"t"', columns=COLUMNS)
    ordered = compile_query(SoqlQuery(order="priority"), table='"t"', columns=COLUMNS)
    assert plain.sql.endswith(f"ORDER BY {by_id} ASC LIMIT 1000 OFFSET 0")
    assert f'"priority" ASC NULLS LAST, {by_id} ASC' in ordered.sql


def test_id_comparisons_follow_the_row_order_not_the_text_order():
    ids = [row_id(sequence) for sequence in range(1, 51)]
    assert [row_order(text) for text in ids] == list(range(1, 51))
    assert ids != sorted(ids), "the :id texts are opaque"
    compiled = compile_query(
        SoqlQuery(where=f":id > '{ids[0]}'", order=":id"), table='"t"', columns=COLUMNS
    )
    assert f"{row_order_sql(chr(34) + ':id' + chr(34))} > {row_order_sql('$p0')}" in compiled.sql


def test_timestamps_are_bound_as_datetimes():
    compiled = compile_query(
        SoqlQuery(where=":updated_at >= '2026-11-01T00:00:00.000Z'"), table='"t"', columns=COLUMNS
    )
    assert list(compiled.params.values()) == [datetime(2026, 11, 1)]


@pytest.mark.parametrize(
    ("query", "code"),
    [
        (SoqlQuery(where="nope = 1"), "query.soql.no-such-column"),
        (SoqlQuery(select="nopd_item, nope"), "query.soql.no-such-column"),
        (SoqlQuery(order=":version"), "query.soql.no-such-column"),
        (SoqlQuery(where="mapx > 'many'"), "query.soql.type-mismatch"),
        (SoqlQuery(where=":updated_at > 'yesterday'"), "query.soql.type-mismatch"),
        (SoqlQuery(where="mapx > nopd_item"), "query.soql.type-mismatch"),
        (SoqlQuery(select="upper(nopd_item)"), "query.soql.no-such-function"),
    ],
)
def test_unknown_names_and_mismatched_types_are_refused(query, code):
    with pytest.raises(SoqlError) as refused:
        compile_query(query, table='"t"', columns=COLUMNS)
    assert refused.value.code == code


@pytest.mark.parametrize(
    ("where", "message"),
    [
        ("mapx >", "expected a column or a value at position 6, found end of input"),
        ("nopd_item = 'open", "unterminated string starting at position 12"),
        ("(mapx = 1", "expected ')' at position 9"),
        ("mapx = 1 mapx = 2", "expected end of input at position 9, found 'mapx'"),
        ("mapx = null", "compare with 'is null'"),
        ("mapx ; drop table t", "unexpected character ';' at position 5"),
        ("max(mapx) > 1", "functions such as max() are not allowed here"),
    ],
)
def test_malformed_conditions_are_refused_with_a_clear_message(where, message):
    with pytest.raises(SoqlError, match=re.escape(message)) as refused:
        compile_query(SoqlQuery(where=where), table='"t"', columns=COLUMNS)
    assert refused.value.code == "query.soql.invalid"


@pytest.mark.parametrize(
    ("query", "message"),
    [
        (SoqlQuery(select="priority, count(*)"), "priority must be grouped or aggregated"),
        (SoqlQuery(select="count(*)", order="mapx"), "mapx must be grouped or aggregated"),
        (SoqlQuery(select="mapx, nopd_item as mapx"), "mapx is selected twice"),
    ],
)
def test_inconsistent_select_group_and_order_are_refused(query, message):
    with pytest.raises(SoqlError, match=re.escape(message)):
        compile_query(query, table='"t"', columns=COLUMNS)


def test_deeply_nested_conditions_are_refused_before_they_exhaust_the_stack(connection):
    assert items(connection, "not " * 99 + "mapx > 9") == ["A1", "A3"]
    with pytest.raises(SoqlError, match="nest deeper than 100 levels"):
        compile_query(
            SoqlQuery(where="(" * 101 + "mapx > 9" + ")" * 101), table='"t"', columns=COLUMNS
        )
