"""Compile the subset of SoQL the pipeline speaks into parameterised DuckDB SQL.

The portal keeps every data value as text, the way Socrata hands values out, so what a
comparison means depends on the dataset's column types: `number` columns compare and sort
numerically, `calendar_date` and text columns as text (Socrata's floating timestamps such as
`2022-01-01T01:07:00.000` order correctly as text), and the system fields `:created_at` and
`:updated_at` as timestamps. A tokenizer and a recursive-descent parser translate each clause
straight into SQL; `compile_query` takes the clauses in turn, one function each. Identifiers
are checked against the dataset's columns and quoted, and every literal becomes a bound
parameter, so no request text is ever spliced into the SQL.

Supported: `$select` (columns, `*`, `:*`, `count(*)`, `count(col)`, `min(col)`, `max(col)`,
`date_trunc_ymd(col)`, `date_trunc_ym(col)`, `date_trunc_y(col)` of a calendar_date column,
`expr as alias`), `$where` (`= != <> < <= > >=`, `and` / `or` / `not`, parentheses,
`between`, `is [not] null`, `[not] in (...)`, a bare checkbox column), `$order` (columns,
aggregates or output names, `asc` / `desc`), `$group` (columns, date truncations, output
names), and Socrata's simple filters
(`?field=value`). Anything else raises `SoqlError`, which the server answers with a 400.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import TypeGuard, TypeVar

from tooling.local_portal.row_ids import row_order_sql

NUMERIC_TYPES = frozenset({"number", "money", "percent", "double"})
SYSTEM_FIELDS = (":id", ":created_at", ":updated_at")
SYSTEM_TYPE_NAME = "meta_data"
# How Socrata renders :created_at / :updated_at, e.g. 2026-11-22T07:34:37.123Z.
TIMESTAMP_FORMAT = "%Y-%m-%dT%H:%M:%S.%gZ"
MAX_OFFSET = 2**62
MAX_NESTING = 100  # parentheses and nots; deeper input is refused, not recursed into

_T = TypeVar("_T")

# `:id` is opaque text ordered and compared by the portal's internal row order (row_ids.py).
_SYSTEM_KINDS = {":id": "rowid", ":created_at": "timestamp", ":updated_at": "timestamp"}
_FUNCTIONS = frozenset({"count", "min", "max"})
# Socrata's date truncations of a floating timestamp, as the text prefix each keeps.
_DATE_TRUNCS = {
    "date_trunc_ymd": (10, ""),
    "date_trunc_ym": (7, "-01"),
    "date_trunc_y": (4, "-01-01"),
}
_KEYWORDS = frozenset(
    {"and", "or", "not", "between", "is", "null", "in", "as", "asc", "desc", "true", "false"}
)
_TOKEN_RE = re.compile(
    r"""
    (?P<space>\s+)
    | (?P<string>'(?:[^']|'')*')
    | (?P<number>(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)
    | (?P<system>:\*|:[A-Za-z_][A-Za-z0-9_]*)
    | (?P<quoted>`[^`]*`)
    | (?P<ident>[A-Za-z_][A-Za-z0-9_]*)
    | (?P<op><=|>=|!=|<>|=|<|>)
    | (?P<punct>[(),*-])
    """,
    re.VERBOSE,
)


class SoqlError(ValueError):
    """A query the portal cannot answer; `code` names the kind of error as Socrata does."""

    def __init__(self, message: str, code: str = "query.soql.invalid") -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def quote_identifier(name: str) -> str:
    """Quote a (validated) column or table name for DuckDB."""
    return '"' + name.replace('"', '""') + '"'


def parse_timestamp(text: str) -> datetime:
    """A naive UTC datetime from an ISO timestamp (`...Z`, an offset, or none meaning UTC)."""
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        raise SoqlError(f"'{text}' is not a timestamp", "query.soql.type-mismatch") from None
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value


def _as_number(value: str | float | bool) -> float | None:
    """A finite number from a number literal or a numeric string, else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, float):
        number = value
    else:
        try:
            number = float(value.strip())
        except ValueError:
            return None
    return number if math.isfinite(number) else None


@dataclass(frozen=True)
class SoqlQuery:
    """The SoQL parts of one resource request, as the client sent them."""

    select: str | None = None
    where: str | None = None
    order: str | None = None
    group: str | None = None
    limit: int = 1000
    offset: int = 0
    filters: tuple[tuple[str, str], ...] = ()
    include_system_fields: bool = False


@dataclass(frozen=True)
class CompiledQuery:
    """SQL for one query in two shapes, with its bound parameters.

    `sql` yields one text value per output field; `json_sql` yields one JSON object per row
    with null fields left out, as Socrata's JSON answers do, built inside DuckDB.
    """

    sql: str
    params: Mapping[str, object]
    json_sql: str
    json_params: Mapping[str, object]
    fields: tuple[str, ...]
    types: tuple[str, ...]


@dataclass(frozen=True)
class Token:
    kind: str  # ident, quoted, system, string, number, op, punct or end
    text: str  # the identifier, the decoded string, or the raw text
    position: int

    def is_keyword(self, word: str) -> bool:
        return self.kind == "ident" and self.text.lower() == word

    @property
    def is_name(self) -> bool:
        return self.kind in ("quoted", "system") or (
            self.kind == "ident" and self.text.lower() not in _KEYWORDS
        )

    def describe(self) -> str:
        return "end of input" if self.kind == "end" else f"{self.text!r}"


def tokenize(text: str) -> list[Token]:
    tokens = []
    position = 0
    while position < len(text):
        match = _TOKEN_RE.match(text, position)
        if match is None:
            if text[position] == "'":
                raise SoqlError(f"unterminated string starting at position {position}")
            raise SoqlError(f"unexpected character {text[position]!r} at position {position}")
        kind = match.lastgroup or ""
        raw = match.group()
        if kind == "string":
            tokens.append(Token(kind, raw[1:-1].replace("''", "'"), position))
        elif kind == "quoted":
            tokens.append(Token(kind, raw[1:-1], position))
        elif kind != "space":
            tokens.append(Token(kind, raw, position))
        position = match.end()
    return tokens


@dataclass(frozen=True)
class _Field:
    name: str
    kind: str  # number, text, timestamp or rowid
    type_name: str

    @property
    def sql(self) -> str:
        return quote_identifier(self.name)

    @property
    def typed_sql(self) -> str:
        if self.kind == "rowid":
            return row_order_sql(self.sql)
        return f"TRY_CAST({self.sql} AS DOUBLE)" if self.kind == "number" else self.sql

    @property
    def output_sql(self) -> str:
        if self.kind == "timestamp":
            return f"strftime({self.sql}, '{TIMESTAMP_FORMAT}')"
        return self.sql


@dataclass(frozen=True)
class _Literal:
    value: str | float | bool
    text: str


@dataclass(frozen=True)
class _Output:
    name: str
    output_sql: str  # renders the value as text
    order_sql: str  # the typed value, for ordering
    type_name: str
    aggregate: bool
    field: _Field | None = None

    @classmethod
    def of_field(cls, field: _Field) -> _Output:
        return cls(field.name, field.output_sql, field.typed_sql, field.type_name, False, field)


class _Compiler:
    """Parses one clause at a time and translates it, collecting bound parameters."""

    def __init__(self, columns: Mapping[str, str]) -> None:
        self.columns = columns
        self.params: dict[str, object] = {}
        self.clause = ""
        self.tokens: list[Token] = []
        self.index = 0
        self.length = 0
        self.depth = 0

    # Token stream -----------------------------------------------------------------------

    def start(self, clause: str, text: str) -> None:
        self.clause = clause
        self.tokens = tokenize(text)
        self.index = 0
        self.length = len(text)

    def peek(self, ahead: int = 0) -> Token:
        at = self.index + ahead
        if at < len(self.tokens):
            return self.tokens[at]
        return Token("end", "", self.length)

    def next(self) -> Token:
        token = self.peek()
        self.index += 1
        return token

    def accept_keyword(self, word: str) -> bool:
        if self.peek().is_keyword(word):
            self.index += 1
            return True
        return False

    def expect_keyword(self, word: str) -> None:
        if not self.accept_keyword(word):
            raise self.unexpected(f"'{word}'")

    def at_punct(self, char: str, ahead: int = 0) -> bool:
        token = self.peek(ahead)
        return token.kind == "punct" and token.text == char

    def accept_punct(self, char: str) -> bool:
        if self.at_punct(char):
            self.index += 1
            return True
        return False

    def expect_punct(self, char: str) -> None:
        if not self.accept_punct(char):
            raise self.unexpected(f"'{char}'")

    def expect_end(self) -> None:
        if self.peek().kind != "end":
            raise self.unexpected("end of input")

    def error(self, message: str, code: str = "query.soql.invalid") -> SoqlError:
        return SoqlError(f"{self.clause}: {message}", code)

    def unexpected(self, expected: str) -> SoqlError:
        token = self.peek()
        return self.error(
            f"expected {expected} at position {token.position}, found {token.describe()}"
        )

    @contextmanager
    def nested(self) -> Iterator[None]:
        self.depth += 1
        if self.depth > MAX_NESTING:
            raise self.error(f"conditions nest deeper than {MAX_NESTING} levels")
        try:
            yield
        finally:
            self.depth -= 1

    # Names and values -------------------------------------------------------------------

    def field(self, name: str) -> _Field:
        if name in _SYSTEM_KINDS:
            return _Field(name, _SYSTEM_KINDS[name], SYSTEM_TYPE_NAME)
        if name in self.columns:
            type_name = self.columns[name]
            return _Field(name, "number" if type_name in NUMERIC_TYPES else "text", type_name)
        raise self.error(f"no such column: {name}", "query.soql.no-such-column")

    def bind(self, value: object) -> str:
        name = f"p{len(self.params)}"
        self.params[name] = value
        return f"${name}"

    def coerce(self, literal: _Literal, kind: str) -> object:
        value = literal.value
        if kind == "rowid":
            return value if isinstance(value, str) else literal.text
        if kind == "timestamp":
            if not isinstance(value, str):
                raise self.error(f"{literal.text} is not a timestamp", "query.soql.type-mismatch")
            return parse_timestamp(value)
        if kind == "number":
            number = _as_number(value)
            if number is None:
                raise self.error(f"{literal.text!r} is not a number", "query.soql.type-mismatch")
            return number
        if isinstance(value, bool):
            return "true" if value else "false"
        return value if isinstance(value, str) else literal.text

    def unify(self, operands: list[_Field | _Literal]) -> list[str]:
        """SQL for operands compared with each other, all in one kind of comparison."""
        fields = [operand for operand in operands if isinstance(operand, _Field)]
        kinds = {field.kind for field in fields}
        if len(kinds) > 1:
            names = ", ".join(f"{field.name} ({field.type_name})" for field in fields)
            raise self.error(f"cannot compare {names}", "query.soql.type-mismatch")
        if kinds:
            kind = kinds.pop()
        elif all(isinstance(op, _Literal) and type(op.value) is float for op in operands):
            kind = "number"
        else:
            kind = "text"
        return [
            operand.typed_sql
            if isinstance(operand, _Field)
            else self.literal_sql(self.coerce(operand, kind), kind)
            for operand in operands
        ]

    def literal_sql(self, value: object, kind: str) -> str:
        """A bound literal, in the row order when it is compared with `:id`."""
        bound = self.bind(value)
        return row_order_sql(bound) if kind == "rowid" else bound

    def operand(self) -> _Field | _Literal:
        token = self.peek()
        if token.kind == "punct" and token.text == "-":
            self.next()
            number = self.next()
            if number.kind != "number":
                raise self.error(f"expected a number after '-' at position {token.position}")
            return _Literal(-float(number.text), "-" + number.text)
        if token.kind == "number":
            self.next()
            return _Literal(float(token.text), token.text)
        if token.kind == "string":
            self.next()
            return _Literal(token.text, token.text)
        if token.is_keyword("true") or token.is_keyword("false"):
            self.next()
            return _Literal(token.text.lower() == "true", token.text.lower())
        if token.is_keyword("null"):
            raise self.error("compare with 'is null' or 'is not null', not with null")
        if token.is_name:
            if self.at_punct("(", ahead=1):
                raise self.error(f"functions such as {token.text}() are not allowed here")
            self.next()
            return self.field(token.text)
        raise self.unexpected("a column or a value")

    # $where -----------------------------------------------------------------------------

    def condition(self) -> str:
        parts = [self.conjunction()]
        while self.accept_keyword("or"):
            parts.append(self.conjunction())
        return parts[0] if len(parts) == 1 else "(" + " OR ".join(parts) + ")"

    def conjunction(self) -> str:
        parts = [self.negation()]
        while self.accept_keyword("and"):
            parts.append(self.negation())
        return parts[0] if len(parts) == 1 else "(" + " AND ".join(parts) + ")"

    def negation(self) -> str:
        if self.accept_keyword("not"):
            with self.nested():
                return f"(NOT {self.negation()})"
        return self.predicate()

    def predicate(self) -> str:
        if self.accept_punct("("):
            return self.parenthesised()
        left = self.operand()
        if self.accept_keyword("is"):
            return self.null_test(left)
        negated = self.accept_keyword("not")
        if self.accept_keyword("between"):
            sql = self.between(left)
        elif self.accept_keyword("in"):
            sql = self.membership(left)
        elif negated:
            raise self.unexpected("'between' or 'in' after 'not'")
        elif self.peek().kind == "op":
            return self.comparison(left)
        else:
            return self.bare_boolean(left)
        return f"(NOT {sql})" if negated else sql

    def parenthesised(self) -> str:
        """A condition in parentheses, after the opening one."""
        with self.nested():
            inner = self.condition()
        self.expect_punct(")")
        return inner

    def null_test(self, left: _Field | _Literal) -> str:
        """`left is [not] null`, after the `is`."""
        negated = self.accept_keyword("not")
        self.expect_keyword("null")
        if not isinstance(left, _Field):
            raise self.error("'is null' needs a column on its left")
        return f"({left.sql} IS {'NOT ' if negated else ''}NULL)"

    def between(self, left: _Field | _Literal) -> str:
        """`left between low and high`, after the `between`."""
        low = self.operand()
        self.expect_keyword("and")
        high = self.operand()
        value, low_sql, high_sql = self.unify([left, low, high])
        return f"({value} BETWEEN {low_sql} AND {high_sql})"

    def membership(self, left: _Field | _Literal) -> str:
        """`left in (item, ...)`, after the `in`."""
        self.expect_punct("(")
        items = [self.operand()]
        while self.accept_punct(","):
            items.append(self.operand())
        self.expect_punct(")")
        value, *choices = self.unify([left, *items])
        return f"({value} IN ({', '.join(choices)}))"

    def comparison(self, left: _Field | _Literal) -> str:
        """`left <operator> right`, at the operator."""
        operator = self.next().text
        right = self.operand()
        left_sql, right_sql = self.unify([left, right])
        operator = "<>" if operator == "!=" else operator
        return f"({left_sql} {operator} {right_sql})"

    def bare_boolean(self, operand: _Field | _Literal) -> str:
        if isinstance(operand, _Literal) and isinstance(operand.value, bool):
            return "TRUE" if operand.value else "FALSE"
        if isinstance(operand, _Field) and operand.type_name == "checkbox":
            return f"({operand.sql} = 'true')"
        raise self.unexpected("a comparison")

    # $select, $group, $order ------------------------------------------------------------

    def items(self, item: Callable[[], _T]) -> list[_T]:
        """Comma-separated items up to the end of the clause."""
        items = [item()]
        while self.accept_punct(","):
            items.append(item())
        self.expect_end()
        return items

    def select_list(self) -> list[_Output]:
        return [output for outputs in self.items(self.select_item) for output in outputs]

    def select_item(self) -> list[_Output]:
        if self.accept_punct("*"):
            return [_Output.of_field(self.field(name)) for name in self.columns]
        if self.peek().kind == "system" and self.peek().text == ":*":
            self.next()
            return [_Output.of_field(self.field(name)) for name in SYSTEM_FIELDS]
        output = self.value()
        if self.accept_keyword("as"):
            alias = self.next()
            if alias.kind not in ("ident", "quoted") or not alias.text.strip():
                raise self.error(f"expected a name after 'as' at position {alias.position}")
            output = replace(output, name=alias.text)
        return [output]

    def value(self) -> _Output:
        """A column or an aggregate, as selected or ordered by."""
        token = self.peek()
        if not token.is_name:
            raise self.unexpected("a column or an aggregate")
        self.next()
        if token.kind != "ident" or not self.accept_punct("("):
            return _Output.of_field(self.field(token.text))
        return self.call(token.text)

    def call(self, name: str) -> _Output:
        """A function call, after its opening parenthesis."""
        function = name.lower()
        if function in _DATE_TRUNCS:
            return self.date_trunc(function)
        if function not in _FUNCTIONS:
            raise self.error(
                f"function {name}() is not supported by the local portal",
                "query.soql.no-such-function",
            )
        if function == "count" and self.accept_punct("*"):
            self.expect_punct(")")
            return _Output("count", "CAST(count(*) AS VARCHAR)", "count(*)", "number", True)
        return self.aggregate(function, self.argument(function))

    def argument(self, function: str) -> _Field:
        """The one column a function takes, and the closing parenthesis."""
        argument = self.next()
        if not argument.is_name:
            raise self.error(f"{function}() takes a column, found {argument.describe()}")
        field = self.field(argument.text)
        self.expect_punct(")")
        return field

    def aggregate(self, function: str, field: _Field) -> _Output:
        """`count`, `min` or `max` of a column, output as Socrata renders it."""
        name = f"{function}_{field.name.lstrip(':')}"
        if function == "count":
            sql = f"count({field.sql})"
            return _Output(name, f"CAST({sql} AS VARCHAR)", sql, "number", True)
        order_sql = f"{function}({field.typed_sql})"
        if field.kind == "rowid":
            # The :id first or last in the row order, as text.
            output_sql = f"arg_{function}({field.sql}, {field.typed_sql})"
        elif field.kind == "number":
            # The stored text of the numerically smallest or largest value, as Socrata sends it.
            output_sql = f"arg_{function}({field.sql}, {field.typed_sql})"
        elif field.kind == "timestamp":
            output_sql = f"strftime({order_sql}, '{TIMESTAMP_FORMAT}')"
        else:
            output_sql = order_sql
        return _Output(name, output_sql, order_sql, field.type_name, True)

    def date_trunc(self, function: str) -> _Output:
        """A calendar_date truncated to its day, month or year, still a floating timestamp.

        Floating timestamps are stored as ISO text, so truncating keeps a prefix of it.
        """
        field = self.argument(function)
        if field.type_name != "calendar_date":
            raise self.error(
                f"{function}() takes a calendar_date column, not {field.name} ({field.type_name})",
                "query.soql.type-mismatch",
            )
        keep, month_day = _DATE_TRUNCS[function]
        sql = f"(left({field.sql}, {keep}) || '{month_day}T00:00:00.000')"
        return _Output(f"{function}_{field.name}", sql, sql, "calendar_date", False)

    def named_or_value(self, by_name: Mapping[str, _Output]) -> _Output:
        """An output named in `$select`, or else a column or an aggregate."""
        token = self.peek()
        if token.is_name and token.text in by_name and not self.at_punct("(", ahead=1):
            self.next()
            return by_name[token.text]
        return self.value()

    def group_list(self, outputs: list[_Output]) -> list[_Output]:
        """Group keys: columns, date truncations, or names given in `$select`."""
        by_name = {output.name: output for output in outputs}

        def key() -> _Output:
            output = self.named_or_value(by_name)
            if output.aggregate:
                raise self.error(f"cannot group by the aggregate {output.name}")
            return output

        return self.items(key)

    def order_list(self, outputs: list[_Output]) -> list[tuple[_Output, bool]]:
        """Order terms, each an output and whether it is descending."""
        by_name = {output.name: output for output in outputs}

        def term() -> tuple[_Output, bool]:
            output = self.named_or_value(by_name)
            descending = self.accept_keyword("desc")
            if not descending:
                self.accept_keyword("asc")
            return output, descending

        return self.items(term)


@dataclass(frozen=True)
class _Grouping:
    """The `$group` keys, and whether rows are grouped or aggregated at all."""

    keys: list[_Output]
    aggregated: bool

    def check(self, output: _Output, clause: str) -> None:
        """In a grouped or aggregated query, `output` must be a group key or an aggregate."""
        if self.aggregated and not output.aggregate and not self.is_key(output):
            raise SoqlError(f"{clause}: {output.name} must be grouped or aggregated")

    def is_key(self, output: _Output) -> bool:
        return any(
            (
                output.field is not None
                and key.field is not None
                and key.field.name == output.field.name
            )
            or key.order_sql == output.order_sql
            for key in self.keys
        )


def compile_query(query: SoqlQuery, *, table: str, columns: Mapping[str, str]) -> CompiledQuery:
    """Translate `query` against `table`, whose data columns map field name -> data type.

    `table` must already be a quoted, trusted identifier. Rows come back in a stable order:
    by `$order`, then `:id`; grouped rows by their group; so paging with `$offset` is stable.
    """
    _check_paging(query)
    compiler = _Compiler(columns)
    outputs = _select(compiler, query)
    conditions = _where(compiler, query.where) + _filters(compiler, query.filters)
    grouping = _group(compiler, query.group, outputs)
    for output in outputs:
        grouping.check(output, "$select")
    order_terms = _order(compiler, query.order, outputs, grouping)
    tail = _from_where_group_order(table, conditions, grouping, order_terms, query)
    params = dict(compiler.params)  # the JSON select binds its field names after these
    sql = "SELECT " + ", ".join(output.output_sql for output in outputs) + tail
    json_sql = _json_select(compiler, outputs) + tail
    return CompiledQuery(
        sql=sql,
        params=params,
        json_sql=json_sql,
        json_params=dict(compiler.params),
        fields=tuple(output.name for output in outputs),
        types=tuple(output.type_name for output in outputs),
    )


def _given(clause: str | None) -> TypeGuard[str]:
    return clause is not None and bool(clause.strip())


def _check_paging(query: SoqlQuery) -> None:
    """`$limit` and `$offset`, already whole numbers, must be in range."""
    if query.limit < 0 or not 0 <= query.offset <= MAX_OFFSET:
        raise SoqlError("$limit and $offset must be non-negative integers")


def _select(compiler: _Compiler, query: SoqlQuery) -> list[_Output]:
    """`$select`'s outputs, by default every column (the system fields too, if asked for)."""
    if _given(query.select):
        compiler.start("$select", query.select)
        outputs = compiler.select_list()
    else:
        names = list(compiler.columns) if compiler.columns else list(SYSTEM_FIELDS)
        if query.include_system_fields and compiler.columns:
            names = [*SYSTEM_FIELDS, *names]
        outputs = [_Output.of_field(compiler.field(name)) for name in names]
    if not outputs:
        raise SoqlError("$select: the dataset has no columns to select")
    seen: set[str] = set()
    for output in outputs:
        if output.name in seen:
            raise SoqlError(f"$select: {output.name} is selected twice; rename one with 'as'")
        seen.add(output.name)
    return outputs


def _where(compiler: _Compiler, where: str | None) -> list[str]:
    """`$where`'s condition, if one is given."""
    if not _given(where):
        return []
    compiler.start("$where", where)
    condition = compiler.condition()
    compiler.expect_end()
    return [condition]


def _filters(compiler: _Compiler, filters: tuple[tuple[str, str], ...]) -> list[str]:
    """The simple filters `?field=value`, each an equality."""
    compiler.clause = "filter"
    conditions = []
    for name, value in filters:
        left, right = compiler.unify([compiler.field(name), _Literal(value, value)])
        conditions.append(f"({left} = {right})")
    return conditions


def _group(compiler: _Compiler, group: str | None, outputs: list[_Output]) -> _Grouping:
    """`$group`'s keys; a query is aggregated when grouped or when it selects an aggregate."""
    keys: list[_Output] = []
    if _given(group):
        compiler.start("$group", group)
        keys = compiler.group_list(outputs)
    return _Grouping(keys, bool(keys) or any(output.aggregate for output in outputs))


def _order(
    compiler: _Compiler, order: str | None, outputs: list[_Output], grouping: _Grouping
) -> list[str]:
    """`$order`'s terms, then the group keys or `:id`, so every order is total and stable."""
    terms = []
    if _given(order):
        compiler.start("$order", order)
        for output, descending in compiler.order_list(outputs):
            grouping.check(output, "$order")
            terms.append(
                f"{output.order_sql} {'DESC NULLS FIRST' if descending else 'ASC NULLS LAST'}"
            )
    if grouping.keys and not terms:
        terms = [f"{key.order_sql} ASC NULLS LAST" for key in grouping.keys]
    if not grouping.aggregated:
        terms.append(f"{row_order_sql(quote_identifier(':id'))} ASC")
    return terms


def _from_where_group_order(
    table: str,
    conditions: list[str],
    grouping: _Grouping,
    order_terms: list[str],
    query: SoqlQuery,
) -> str:
    """The query after its select list: FROM, WHERE, GROUP BY, ORDER BY, LIMIT and OFFSET."""
    tail = f" FROM {table}"
    if conditions:
        tail += " WHERE " + " AND ".join(conditions)
    if grouping.keys:
        tail += " GROUP BY " + ", ".join(
            key.field.sql if key.field is not None else key.order_sql for key in grouping.keys
        )
    if order_terms:
        tail += " ORDER BY " + ", ".join(order_terms)
    return tail + f" LIMIT {int(query.limit)} OFFSET {int(query.offset)}"


def _json_select(compiler: _Compiler, outputs: list[_Output]) -> str:
    """A select list of one JSON object per row, built by DuckDB; null fields are left out."""
    members = [
        f"{compiler.bind(json.dumps(output.name) + ':')} || to_json({output.output_sql})"
        for output in outputs
    ]
    return "SELECT '{' || concat_ws(',', " + ", ".join(members) + ") || '}'"
