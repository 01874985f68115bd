"""The Dataset Management API's transform expressions the portal understands, and their values.

An output column of a DSMAPI schema is computed from the input columns by a SoQL transform
expression (../shared/socrata/docs/apis_publishing.json, "Create a new schema": `to_text`,
`to_number`, `to_floating_timestamp`, `to_point`, `to_location`, `to_boolean`, with the
input column backquoted); the function's result type is the output column's data type. The
portal takes the one-column forms a publisher sets a column's type with, and refuses any
other expression by name rather than guessing what it computes.
"""

from __future__ import annotations

import re
from collections.abc import Collection

from tooling.local_portal.errors import bad_request
from tooling.local_portal.rows import render_value

# Function -> the Socrata data type of its result; None: the bare input column (text).
FUNCTION_TYPES = {
    None: "text",
    "to_text": "text",
    "to_number": "number",
    "to_floating_timestamp": "calendar_date",
    "to_point": "point",
    "to_location": "location",
    "to_boolean": "checkbox",
}
_EXPRESSION_RE = re.compile(
    r"\s*(?:(?P<function>[a-z_]+)\s*\(\s*`(?P<argument>[^`]+)`\s*\)|`(?P<column>[^`]+)`)\s*"
)
_TRUE = {"true", "1", "yes", "y", "t"}
_FALSE = {"false", "0", "no", "n", "f"}


def parse_transform(expression: object, input_fields: Collection[str]) -> tuple[str, str]:
    """The input field an expression reads and the data type it gives, or a 400 naming it."""
    match = _EXPRESSION_RE.fullmatch(expression) if isinstance(expression, str) else None
    function = match["function"] if match else None
    if match is None or function not in FUNCTION_TYPES:
        raise bad_request(
            f"the local portal does not support the transform {expression!r}: use `field` or "
            f"one of {', '.join(f'{name}(`field`)' for name in FUNCTION_TYPES if name)}"
        )
    field = match["argument"] or match["column"]
    if field not in input_fields:
        raise bad_request(f"the transform {expression!r} reads {field!r}, not an input column")
    return field, FUNCTION_TYPES[function]


def transformed(value: str | None, data_type: str) -> str | None:
    """An input text as the output column stores it; ValueError when it does not convert."""
    if value is None or value == "":
        return None
    if data_type == "checkbox":
        text = value.strip().lower()
        if text in _TRUE:
            return "true"
        if text in _FALSE:
            return "false"
        raise ValueError(f"{value!r} is not a boolean")
    return render_value(value, data_type)
