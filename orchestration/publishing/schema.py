"""Whether a public dataset on the portal can take its mart's rows, checked before sending.

Socrata's upserts never create a column: a field the dataset lacks is refused (400) and a
value of the wrong type fails its row. So before a publish sends anything, the dataset's
columns are compared with the mart's public columns, its row identifier with the catalog's,
and any difference stops that dataset's publish with every column named and the command
that makes them equal (`orchestration.publishing.provision`, a deliberate operation through
the Dataset Management API; a night's publish never changes a dataset's columns).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from orchestration.catalog import PublishedDataset
from orchestration.socrata.client import PortalRefused

FIX_COMMAND = "python -m orchestration.publishing.provision"
FIX_JOB = "provision_public_datasets"


class PublicDatasetMismatch(PortalRefused):
    """The portal's dataset cannot take the mart's rows as they are; nothing was sent.

    A refusal decided here rather than by the portal (which would answer 400 on the first
    chunk): it is the same on every attempt, so it is not retried.
    """

    def __init__(self, message: str) -> None:
        super().__init__(message, 400)


def fix_hint(dataset: PublishedDataset) -> str:
    return (
        f"run the `{FIX_JOB}` job, or `{FIX_COMMAND} --dataset {dataset.name}`, to create it or "
        "make its columns equal to the mart's"
    )


def schema_differences(view: Mapping[str, Any], dataset: PublishedDataset) -> list[str]:
    """What differs between the portal's view and the mart's public columns, one line each."""
    columns = {
        column["fieldName"]: column
        for column in view.get("columns") or []
        if not str(column.get("fieldName", ":")).startswith(":")
    }
    differences = []
    for expected in dataset.public_columns:
        column = columns.pop(expected.field_name, None)
        if column is None:
            differences.append(f"column {expected.field_name} ({expected.data_type}) is missing")
        elif column.get("dataTypeName") != expected.data_type:
            differences.append(
                f"column {expected.field_name} is {column.get('dataTypeName')}, "
                f"the mart's is {expected.data_type}"
            )
    differences.extend(
        f"column {name} ({column.get('dataTypeName')}) is not a public column of the mart"
        for name, column in sorted(columns.items())
    )
    row_identifier = _row_identifier_field(view)
    if row_identifier != dataset.row_identifier:
        differences.append(
            f"the row identifier is {row_identifier or 'not set (:id)'}, "
            f"the mart's is {dataset.row_identifier}"
        )
    return differences


def _row_identifier_field(view: Mapping[str, Any]) -> str | None:
    """The field name of the view's row identifier column (Socrata names it by column id)."""
    column_id = view.get("rowIdentifierColumnId")
    for column in view.get("columns") or []:
        if column_id is not None and column.get("id") == column_id:
            return column.get("fieldName")
    return None


def mismatch_error(
    dataset: PublishedDataset, dataset_id: str, view: Mapping[str, Any] | None
) -> PublicDatasetMismatch | None:
    """The error that stops this dataset's publish, or None when it can take the rows."""
    if view is None:
        return PublicDatasetMismatch(
            f"{dataset.name}: the public dataset {dataset_id} does not exist on the portal; "
            f"{fix_hint(dataset)} (and configure the id it reports)"
        )
    differences = schema_differences(view, dataset)
    if not differences:
        return None
    return PublicDatasetMismatch(
        f"{dataset.name}: the public dataset {dataset_id} cannot take the mart's rows: "
        + "; ".join(differences)
        + f". Nothing was sent; {fix_hint(dataset)}"
    )
