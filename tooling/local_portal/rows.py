"""Turning an upsert payload into changes the store applies with a few set-based statements.

Socrata's upsert takes a JSON array of row objects. An object creates or updates the row with
its row identifier, changing only the fields it names; `":deleted": true` deletes the row.
Objects may also name a row by `:id`, and on a dataset without a row identifier an object
without `:id` is appended. A field the dataset has no column for refuses the whole payload.
Here every value is validated and rendered as the text the portal stores (and Socrata would
hand back), and the objects for one row are folded into one change in payload order, so the
store's SQL sees each row at most once.
"""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from tooling.local_portal.errors import bad_request
from tooling.local_portal.soql import NUMERIC_TYPES


@dataclass
class Change:
    """What one payload does to one row."""

    key: str | None  # the row identifier's value, the :id, or None for an appended row
    by_sid: bool = False  # named by :id rather than by the row identifier
    delete: bool = False
    values: dict[str, str | None] = field(default_factory=dict)
    full: bool = False  # deleted and re-created in one payload: unnamed fields become null


@dataclass
class PayloadColumns:
    """A validated payload as the store loads it: one list per column, one entry per row.

    Both the per-row path (`Plan.columns`) and the columnar fast path (`fast_rows`) produce
    it, so the store's SQL has one input shape whichever path validated the payload.
    """

    keys: list[str | None]
    by_sid: list[bool]
    delete: list[bool]
    full: list[bool]
    fields: list[str]  # data fields named anywhere in the payload, in column order
    # Per field, as a list or an Arrow array (the fast path's, scanned by the store in place):
    values: list[Sequence[str | None]]  # the rendered value, None where unnamed
    named: list[Sequence[bool]]  # whether the row names the field

    def __len__(self) -> int:
        return len(self.keys)

    def as_lists(self) -> PayloadColumns:
        """The same columns, every one a list (to compare the two paths' results)."""
        return dataclasses.replace(
            self,
            values=[_as_list(values) for values in self.values],
            named=[_as_list(named) for named in self.named],
        )


def _as_list(values: Sequence[Any]) -> list[Any]:
    return values.to_pylist() if hasattr(values, "to_pylist") else list(values)


@dataclass
class Plan:
    changes: list[Change]
    fields: list[str]  # data fields named anywhere in the payload, in column order

    def columns(self) -> PayloadColumns:
        changes = self.changes
        return PayloadColumns(
            keys=[change.key for change in changes],
            by_sid=[change.by_sid for change in changes],
            delete=[change.delete for change in changes],
            full=[change.full for change in changes],
            fields=list(self.fields),
            values=[[change.values.get(name) for change in changes] for name in self.fields],
            named=[[name in change.values for change in changes] for name in self.fields],
        )


def floating_timestamp(text: str) -> str:
    """Socrata's rendering of a calendar_date: `2022-01-01T01:07:00.000`."""
    value = datetime.fromisoformat(text.strip())
    if value.tzinfo is not None:
        raise ValueError("a calendar_date has no time zone")
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}"


def render_value(value: Any, data_type: str) -> str | None:
    """The stored text of a JSON value for a column of `data_type`; "" and null are null."""
    if value is None:
        return None
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, int):
        text = str(value)
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{value} is not a finite number")
        text = repr(value).removesuffix(".0")
    elif isinstance(value, str):
        text = value
    else:
        text = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    if text == "":
        return None
    if data_type in NUMERIC_TYPES:
        try:
            number = float(text)
        except ValueError:
            raise ValueError(f"{text!r} is not a number") from None
        if not math.isfinite(number):
            raise ValueError(f"{text!r} is not a finite number")
    elif data_type == "calendar_date":
        try:
            text = floating_timestamp(text)
        except ValueError as error:
            raise ValueError(f"{text!r} is not a calendar_date ({error})") from None
    return text


def _is_deleted(value: Any, index: int) -> bool:
    if value in (True, "true", "True"):
        return True
    if value in (False, "false", "False", None):
        return False
    raise bad_request(f"row {index}: ':deleted' must be true or false, not {value!r}")


def plan_upsert(rows: Any, columns: Mapping[str, str], row_identifier: str | None) -> Plan:
    """Validate a payload against the dataset's columns (field name -> data type)."""
    if not isinstance(rows, list):
        raise bad_request("the body must be a JSON array of row objects")
    keyed: dict[tuple[bool, str], Change] = {}
    appended: list[Change] = []
    named: set[str] = set()
    for index, row in enumerate(rows):
        if not isinstance(row, dict):
            raise bad_request(f"row {index}: expected a JSON object, got {type(row).__name__}")
        values: dict[str, str | None] = {}
        delete = False
        sid = None
        for name, value in row.items():
            if name == ":deleted":
                delete = _is_deleted(value, index)
            elif name == ":id":
                if value is not None and not isinstance(value, str):
                    raise bad_request(f"row {index}: ':id' must be a string")
                sid = value
            elif name in columns:
                try:
                    values[name] = render_value(value, columns[name])
                except ValueError as error:
                    raise bad_request(f"row {index}, field {name}: {error}") from None
            else:
                # Socrata refuses the whole payload, and never creates a column for it
                # (../shared/socrata/README.md; "Illegal field name sent" is its message).
                raise bad_request(f"Illegal field name sent: {name}")
        named.update(values)

        row_key = values.get(row_identifier) if row_identifier is not None else None
        if row_key is not None:
            slot = (False, row_key)
        elif sid is not None:
            slot = (True, sid)
        elif row_identifier is not None:
            raise bad_request(f"row {index}: the row identifier {row_identifier} is missing")
        elif delete:
            raise bad_request(f"row {index}: ':deleted' needs ':id' (no row identifier is set)")
        else:
            appended.append(Change(None, values=values))
            continue

        by_sid, key = slot
        existing = keyed.get(slot)
        if delete:
            keyed[slot] = Change(key, by_sid, delete=True)
        elif existing is None:
            keyed[slot] = Change(key, by_sid, values=values)
        elif existing.delete:
            keyed[slot] = Change(key, by_sid, values=values, full=True)
        else:
            existing.values.update(values)
    return Plan(
        changes=[*keyed.values(), *appended],
        fields=[name for name in columns if name in named],
    )
