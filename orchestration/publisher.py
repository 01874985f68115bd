"""Publishing a window of a public mart to the city's portal.

After a publish, the portal's rows of the window equal the mart's: mart rows are upserted by
the row identifier in chunks, and rows the portal holds for the window that the mart no
longer has (a call reclassified into a juvenile type, voided, merged) are sent as
`":deleted": true`.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import duckdb

from orchestration.catalog import Source
from orchestration.partitions import DayWindow
from orchestration.raw_loader import quote
from orchestration.socrata.client import SocrataClient

DEFAULT_CHUNK_SIZE = 10_000
FLOATING_TIMESTAMP = "%Y-%m-%dT%H:%M:%S.%g"


@dataclass
class PublishResult:
    dataset_id: str
    rows_in_mart: int = 0
    rows_created: int = 0
    rows_updated: int = 0
    rows_deleted: int = 0
    chunks: int = 0
    seconds: float = 0.0
    created_dataset: bool = False
    answers: list[dict[str, int]] = field(default_factory=list)


def public_view(source: Source) -> dict[str, Any]:
    """The dataset's metadata as the portal should show it."""
    return {
        "name": source.public_dataset_name,
        "description": source.description,
        "attribution": source.attribution,
        "category": "Public Safety and Preparedness",
        "columns": [
            {
                "fieldName": column.field_name,
                "name": column.display_name,
                "dataTypeName": column.data_type,
                "description": column.description,
            }
            for column in source.public_columns
        ],
        "metadata": {"rowIdentifier": source.row_identifier},
    }


def select_public_rows(source: Source, window: DayWindow) -> tuple[str, list[Any]]:
    """SQL reading the mart's rows of the window, every value rendered as Socrata sends it."""
    rendered = []
    for column in source.public_columns:
        name = quote(column.field_name)
        if column.data_type == "calendar_date":
            rendered.append(f"strftime({name}, '{FLOATING_TIMESTAMP}') as {name}")
        else:
            rendered.append(f"cast({name} as varchar) as {name}")
    day = quote(source.day_field)
    sql = (
        f"select {', '.join(rendered)} from {source.mart_table} "
        f"where {day} >= ? and {day} < ? order by {quote(source.row_identifier)}"
    )
    return sql, [window.start, window.end]


def read_mart_rows(
    connection: duckdb.DuckDBPyConnection, source: Source, window: DayWindow
) -> list[dict[str, str]]:
    sql, parameters = select_public_rows(source, window)
    cursor = connection.execute(sql, parameters)
    names = [column[0] for column in cursor.description]
    return [
        {name: value for name, value in zip(names, row, strict=True) if value is not None}
        for row in cursor.fetchall()
    ]


def published_row_ids(
    client: SocrataClient, source: Source, dataset_id: str, window: DayWindow
) -> set[str]:
    """Row identifiers the portal holds for the window."""
    ids: set[str] = set()
    for page in client.iter_pages(
        dataset_id,
        where=window.soql_where(source.day_field),
        select=f":id, {source.row_identifier}",
    ):
        ids.update(row[source.row_identifier] for row in page if source.row_identifier in row)
    return ids


def chunked(rows: list[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def publish_window(
    client: SocrataClient,
    connection: duckdb.DuckDBPyConnection,
    source: Source,
    window: DayWindow,
    *,
    dataset_id: str,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
) -> PublishResult:
    """Make the portal's rows of the window equal the mart's."""
    started = time.monotonic()
    result = PublishResult(dataset_id=dataset_id)
    if client.get_view(dataset_id) is None:
        result.created_dataset = True
    client.put_view(dataset_id, public_view(source))

    rows = read_mart_rows(connection, source, window)
    result.rows_in_mart = len(rows)
    keep = {row[source.row_identifier] for row in rows}
    withdrawn = sorted(published_row_ids(client, source, dataset_id, window) - keep)
    deletions = [{source.row_identifier: row_id, ":deleted": True} for row_id in withdrawn]

    for chunk in chunked(rows + deletions, chunk_size):
        answer = client.upsert(dataset_id, chunk)
        result.answers.append(answer)
        result.rows_created += answer.get("Rows Created", 0)
        result.rows_updated += answer.get("Rows Updated", 0)
        result.rows_deleted += answer.get("Rows Deleted", 0)
        result.chunks += 1
    result.seconds = round(time.monotonic() - started, 3)
    return result
