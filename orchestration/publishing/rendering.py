"""A mart's rows as the portal holds them: every value text, timestamps floating.

The same rendering feeds the payload sent and the content hash the ledger keeps, so a row is
re-sent exactly when what the portal would show for it changes.
"""

from __future__ import annotations

from orchestration.catalog import PublishedDataset
from orchestration.warehouse.sql import quote_identifier

FLOATING_TIMESTAMP = "%Y-%m-%dT%H:%M:%S.%g"


def rendered_columns(dataset: PublishedDataset, alias: str = "") -> list[str]:
    """`expr as name` for each public column, rendered as Socrata sends it back."""
    prefix = f"{alias}." if alias else ""
    rendered = []
    for column in dataset.public_columns:
        name = quote_identifier(column.field_name)
        if column.data_type == "calendar_date":
            rendered.append(f"strftime({prefix}{name}, '{FLOATING_TIMESTAMP}') as {name}")
        else:
            rendered.append(f"cast({prefix}{name} as varchar) as {name}")
    return rendered


def content_hash(dataset: PublishedDataset) -> str:
    """SQL hashing a rendered row: column names and values, nulls included.

    Names are part of the hash, so a renamed or added column changes every row's hash.
    """
    members = ", ".join(
        f"'{column.field_name}': {quote_identifier(column.field_name)}"
        for column in dataset.public_columns
    )
    return f"md5(to_json({{{members}}}))"
