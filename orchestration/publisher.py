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

from orchestration.catalog import PublishedDataset
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


def public_view(dataset: PublishedDataset) -> dict[str, Any]:
    """The dataset's metadata as the portal should show it."""
    return {
        "name": dataset.title,
        "description": dataset.description,
        "attribution": dataset.attribution,
        "category": dataset.category,
        "columns": [
            {
                "fieldName": column.field_name,
                "name": column.display_name,
                "dataTypeName": column.data_type,
                "description": column.description,
            }
            for column in dataset.public_columns
        ],
        "metadata": {"rowIdentifier": dataset.row_identifier},
    }


def select_public_rows(dataset: PublishedDataset, window: DayWindow) -> tuple[str, list[Any]]:
    """SQL reading the mart's rows of the window, every value rendered as Socrata sends it."""
    rendered = []
    for column in dataset.public_columns:
        name = quote(column.field_name)
        if column.data_type == "calendar_date":
            rendered.append(f"strftime({name}, '{FLOATING_TIMESTAMP}') as {name}")
        else:
            rendered.append(f"cast({name} as varchar) as {name}")
    day = quote(dataset.day_field)
    sql = (
        f"select {', '.join(rendered)} from {dataset.mart_table} "
        f"where {day} >= ? and {day} < ? order by {quote(dataset.row_identifier)}"
    )
    return sql, [window.start, window.end]


def read_mart_rows(
    connection: duckdb.DuckDBPyConnection, dataset: PublishedDataset, window: DayWindow
) -> list[dict[str, str]]:
    sql, parameters = select_public_rows(dataset, window)
    cursor = connection.execute(sql, parameters)
    names = [column[0] for column in cursor.description]
    return [
        {name: value for name, value in zip(names, row, strict=True) if value is not None}
        for row in cursor.fetchall()
    ]


def published_row_ids(
    client: SocrataClient, dataset: PublishedDataset, dataset_id: str, window: DayWindow
) -> set[str]:
    """Row identifiers the portal holds for the window."""
    ids: set[str] = set()
    for page in client.iter_pages(
        dataset_id,
        where=window.soql_where(dataset.day_field),
        select=f":id, {dataset.row_identifier}",
    ):
        ids.update(row[dataset.row_identifier] for row in page if dataset.row_identifier in row)
    return ids


def chunked(rows: list[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def publish_window(
    client: SocrataClient,
    connection: duckdb.DuckDBPyConnection,
    dataset: PublishedDataset,
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
    client.put_view(dataset_id, public_view(dataset))

    rows = read_mart_rows(connection, dataset, window)
    result.rows_in_mart = len(rows)
    key = dataset.row_identifier
    keep = {row[key] for row in rows}
    withdrawn = sorted(published_row_ids(client, dataset, dataset_id, window) - keep)
    deletions = [{key: row_id, ":deleted": True} for row_id in withdrawn]

    for chunk in chunked(rows + deletions, chunk_size):
        answer = client.upsert(dataset_id, chunk)
        result.answers.append(answer)
        result.rows_created += answer.get("Rows Created", 0)
        result.rows_updated += answer.get("Rows Updated", 0)
        result.rows_deleted += answer.get("Rows Deleted", 0)
        result.chunks += 1
    result.seconds = round(time.monotonic() - started, 3)
    return result
