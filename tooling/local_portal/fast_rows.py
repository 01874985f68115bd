"""The columnar fast path for the payload a publisher sends: whole columns checked at once.

A publisher sends chunks of thousands of rows of one shape: every object names the same
fields (a full row, nulls included) or is `{<row identifier>: key, ":deleted": true}`, and
each row appears once. For that shape the per-row path (`rows.plan_upsert`: a render per
value, a `Change` per row) was most of an upsert's cost. Here the payload is cut into
Arrow string arrays, one per field, in one conversion (which the store then scans in place),
and each array is checked as a whole: numbers and calendar_dates by one regular expression
matching only forms the per-row path stores unchanged.

Whatever this path cannot prove valid, and rendered exactly as the per-row path would render
it, makes it answer None; the caller then takes the per-row path, so a refused payload keeps
its message and every other payload its meaning (folded duplicates, partial rows, `:id`).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from itertools import compress, count
from operator import itemgetter
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from tooling.local_portal.rows import PayloadColumns, plan_upsert
from tooling.local_portal.soql import NUMERIC_TYPES

# A decimal `float()` reads as a finite number: at most 200 integer digits and a two-digit
# exponent stay far below 1.8e308. Other forms (`1.`, `+1`, ` 1`, `1e400`) take the slow path.
_NUMBER = r"-?[0-9]{1,200}(?:\.[0-9]{1,200})?(?:[eE][+-]?[0-9]{1,2})?"
# Socrata's floating timestamp, which the per-row path renders as itself. The year starts
# with 1-9 because strftime's %Y does not pad years below 1000 to four digits.
_TIMESTAMP = r"[1-9][0-9]{3}-[0-9]{2}-[0-9]{2}T(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]\.[0-9]{3}"
# RE2 (Arrow's engine): `$` is the end of the text, so a value holding a newline never matches.
_CANONICAL = {"number": f"^(?:{_NUMBER})$", "calendar_date": f"^(?:{_TIMESTAMP})$"}
_NULL_TEXT = pa.scalar(None, pa.string())


def _real_days(timestamps: pa.Array) -> bool:
    """Whether every day named exists (the pattern lets 2024-02-30 through); few distinct."""
    days = pc.unique(pc.utf8_slice_codeunits(timestamps, 0, 10)).drop_null()
    try:
        for day in days.to_pylist():
            date.fromisoformat(day)
    except ValueError:
        return False
    return True


def _as_texts(rows: list[dict[str, Any]], fields: list[str]) -> list[pa.Array] | None:
    """Per field, the rows' values as one Arrow string array; None if one is not a text.

    Arrow converts the dicts itself and refuses numbers, booleans, lists, objects and lone
    surrogates; it would take bytes too, which no JSON payload holds.
    """
    struct = pa.struct([(name, pa.string()) for name in fields])
    try:
        converted = pa.array(rows, type=struct)
    except (pa.ArrowTypeError, pa.ArrowInvalid, UnicodeError):
        return None
    return [converted.field(index) for index in range(len(fields))]


def _rendered(texts: pa.Array, data_type: str) -> pa.Array | None:
    """One field's stored texts ("" is null), or None when a value needs the per-row path."""
    empty = pc.equal(texts, "")
    if pc.any(empty).as_py():
        texts = pc.if_else(empty, _NULL_TEXT, texts)
    kind = "number" if data_type in NUMERIC_TYPES else data_type
    if kind in _CANONICAL and texts.null_count < len(texts):
        if not pc.all(pc.match_substring_regex(texts, _CANONICAL[kind])).as_py():
            return None
        if kind == "calendar_date" and not _real_days(texts):
            return None
    return texts


def _deletes_are_plain(rows: list[dict[str, Any]], row_identifier: str) -> bool:
    return all(len(row) == 2 and row_identifier in row and row[":deleted"] is True for row in rows)


def _unique_keys(keys: list[Any]) -> bool:
    """Every key a non-empty text, none repeated (the per-row path folds repeats)."""
    return set(map(type, keys)) == {str} and "" not in keys and len(set(keys)) == len(keys)


def _keys_render_as_sent(keys: list[str], data_type: str) -> bool:
    try:
        texts = pa.array(keys, type=pa.string())
    except UnicodeError:
        return False
    return _rendered(texts, data_type) is not None


def _same_shape(rows: list[dict[str, Any]], columns: Mapping[str, str], key: str) -> bool:
    """Whether every row names the same fields, the key among them, all of them columns."""
    if not rows:
        return True
    shape = rows[0].keys()
    return key in shape and shape <= columns.keys() and all(row.keys() == shape for row in rows)


def _among_deleted(values: list[pa.Array], deleted: list[bool]) -> list[pa.Array]:
    """The upserted rows' values put back among the deleted rows, whose values are null."""
    upserted = count()
    places = pa.array([None if gone else next(upserted) for gone in deleted], type=pa.int64())
    return [pc.take(column, places) for column in values]


def fast_columns(
    rows: Any, columns: Mapping[str, str], row_identifier: str | None
) -> PayloadColumns | None:
    """The payload's columns when it has the publisher's shape and is valid; else None."""
    # (No row identifier: rows are appended or named by :id, which the per-row path handles.)
    if row_identifier not in columns or type(rows) is not list or not rows:
        return None
    if set(map(type, rows)) != {dict}:
        return None
    deleted = [":deleted" in row for row in rows]
    any_deleted = any(deleted)
    upserts = rows
    if any_deleted:
        if not _deletes_are_plain(list(compress(rows, deleted)), row_identifier):
            return None
        upserts = list(compress(rows, [not is_deleted for is_deleted in deleted]))
    if not _same_shape(upserts, columns, row_identifier):
        return None
    keys = list(map(itemgetter(row_identifier), rows))
    if not _unique_keys(keys):
        return None
    # Without deletes, the key column is checked with the others below.
    if any_deleted and not _keys_render_as_sent(keys, columns[row_identifier]):
        return None

    shape = upserts[0].keys() if upserts else {row_identifier}
    fields = [name for name in columns if name in shape or name == row_identifier]
    converted = _as_texts(upserts, fields)
    if converted is None:
        return None
    values: list[pa.Array] = []
    for name, texts in zip(fields, converted, strict=True):
        rendered = _rendered(texts, columns[name])
        if rendered is None:
            return None
        values.append(rendered)
    if any_deleted:
        values = _among_deleted(values, deleted)
    rows_count = len(rows)
    return PayloadColumns(
        keys=keys,
        by_sid=[False] * rows_count,
        delete=deleted,
        full=[False] * rows_count,
        fields=fields,
        values=values,
        named=[pa.array([not gone for gone in deleted], type=pa.bool_())] * len(fields),
    )


def payload_columns(
    rows: Any, columns: Mapping[str, str], row_identifier: str | None
) -> PayloadColumns:
    """Validate a payload against the dataset's columns: the fast path, else the per-row one."""
    fast = fast_columns(rows, columns, row_identifier)
    if fast is not None:
        return fast
    return plan_upsert(rows, columns, row_identifier).columns()
