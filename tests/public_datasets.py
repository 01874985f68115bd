"""The public datasets as the city's staff left them before a test's first publish.

On a real domain the public datasets exist before the first night: a data engineer created
them once (`orchestration.publishing.provision`, through the Dataset Management API, which
assigns new ids). Tests keep the catalog's ids, so they stand in for that step with the
local portal's seeding route (`PUT /_portal/views/<id>`), with the columns, types and row
identifier (a column id) that provisioning gives them.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import requests

from orchestration.catalog import PUBLISHED_DATASETS, PublishedDataset

FIRST_COLUMN_ID = 562_412_106  # column ids are large opaque numbers on Socrata


def seeded_view(dataset: PublishedDataset) -> dict[str, Any]:
    """The view provisioning leaves: catalog metadata, the mart's columns, its row id."""
    columns = [
        {
            "id": FIRST_COLUMN_ID + position,
            "fieldName": column.field_name,
            "name": column.display_name,
            "dataTypeName": column.data_type,
            "description": column.description,
            "position": position + 1,
        }
        for position, column in enumerate(dataset.public_columns)
    ]
    row_identifier = next(c["id"] for c in columns if c["fieldName"] == dataset.row_identifier)
    return {
        "name": dataset.title,
        "description": dataset.description,
        "attribution": dataset.attribution,
        "category": dataset.category,
        "columns": columns,
        "rowIdentifierColumnId": row_identifier,
        "metadata": {"rowIdentifier": row_identifier},
    }


def seed_view(portal_url: str, dataset_id: str, view: dict[str, Any]) -> dict[str, Any]:
    answer = requests.put(f"{portal_url}/_portal/views/{dataset_id}", json=view, timeout=10)
    answer.raise_for_status()
    return answer.json()


def seed_public_datasets(
    portal_url: str, datasets: Iterable[PublishedDataset] = PUBLISHED_DATASETS
) -> None:
    """Every public dataset of `datasets`, empty, at its catalog id."""
    for dataset in datasets:
        seed_view(portal_url, dataset.public_dataset_id, seeded_view(dataset))


def seed_dataset(
    portal_url: str,
    dataset_id: str,
    columns: list[tuple[str, str]],
    row_identifier: str | None = None,
    name: str = "A test dataset",
) -> dict[str, Any]:
    """An empty dataset with `columns` (field name, data type) at `dataset_id`."""
    rendered = [
        {"id": FIRST_COLUMN_ID + n, "fieldName": field, "name": field, "dataTypeName": kind}
        for n, (field, kind) in enumerate(columns)
    ]
    view: dict[str, Any] = {"name": name, "columns": rendered, "metadata": {}}
    if row_identifier is not None:
        column_id = next(c["id"] for c in rendered if c["fieldName"] == row_identifier)
        view["rowIdentifierColumnId"] = column_id
        view["metadata"]["rowIdentifier"] = column_id
    return seed_view(portal_url, dataset_id, view)
