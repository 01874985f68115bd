"""Quoting what SQL cannot bind, and one transaction per unit of work."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from orchestration.warehouse.sql import quote_identifier, quote_literal, transaction


@pytest.fixture
def connection() -> Iterator[duckdb.DuckDBPyConnection]:
    with duckdb.connect() as connection:
        connection.execute("create table landed (n integer)")
        yield connection


def rows_seen_by_another_connection(connection: duckdb.DuckDBPyConnection) -> list[tuple]:
    with connection.cursor() as other:
        return other.execute("select n from landed order by n").fetchall()


def test_an_identifier_is_double_quoted_and_its_double_quotes_doubled():
    assert quote_identifier('say "hi"') == '"say ""hi"""'


def test_a_quoted_identifier_names_exactly_that_column(connection):
    name = 'a "quoted" name; drop table landed'
    connection.execute(f"create table weird ({quote_identifier(name)} integer)")
    columns = connection.execute("select * from weird").description
    assert [column[0] for column in columns] == [name]


def test_a_literal_is_single_quoted_and_its_single_quotes_doubled():
    assert quote_literal("Bob's") == "'Bob''s'"


def test_a_quoted_literal_reads_back_as_the_same_text(connection):
    text = "it's '' a test'); drop table landed; --"
    assert connection.execute(f"select {quote_literal(text)}").fetchone() == (text,)


def test_a_literal_of_a_value_that_is_not_text_quotes_its_text():
    assert quote_literal(Path("/tmp/o'clock/page.csv")) == "'/tmp/o''clock/page.csv'"


def test_a_transaction_that_finishes_is_committed(connection):
    with transaction(connection):
        connection.execute("insert into landed values (1)")
    assert rows_seen_by_another_connection(connection) == [(1,)]


def test_a_transaction_that_raises_is_rolled_back_and_the_error_raised_again(connection):
    with pytest.raises(ValueError, match="half way"), transaction(connection):
        connection.execute("insert into landed values (1)")
        raise ValueError("half way")
    assert connection.execute("select n from landed").fetchall() == []


def test_an_interrupt_rolls_the_transaction_back_too(connection):
    with pytest.raises(KeyboardInterrupt), transaction(connection):
        connection.execute("insert into landed values (1)")
        raise KeyboardInterrupt
    assert connection.execute("select n from landed").fetchall() == []


def test_after_a_rollback_the_connection_takes_a_new_transaction(connection):
    with pytest.raises(ValueError), transaction(connection):
        raise ValueError
    with transaction(connection):
        connection.execute("insert into landed values (2)")
    assert rows_seen_by_another_connection(connection) == [(2,)]
