"""Before a publish sends a row, the portal's dataset is compared with the mart's columns.

Socrata's upserts never create a column and refuse a field the dataset lacks with a 400
(../shared/socrata/README.md, "A field the dataset has no column for is refused"), so a
difference found here stops the dataset's publish with every column named and the fix.
"""

from __future__ import annotations

import copy
from datetime import timedelta

import pytest

from orchestration.partitions import DayWindow
from orchestration.publishing.schema import PublicDatasetMismatch, schema_differences
from orchestration.publishing.send import publish_window
from tests.public_datasets import seed_view, seeded_view
from tests.publishing.conftest import DATASET, DATASET_ID, DAY, mart_row, writes


def publish(client, mart):
    with mart.connect() as connection:
        return publish_window(
            client,
            connection,
            DATASET,
            DayWindow(DAY, DAY + timedelta(days=1)),
            dataset_id=DATASET_ID,
            run_id="r",
        )


def without_column(field_name: str) -> dict:
    view = seeded_view(DATASET)
    view["columns"] = [c for c in view["columns"] if c["fieldName"] != field_name]
    return view


def test_a_view_provisioned_from_the_mart_has_no_difference():
    assert schema_differences(seeded_view(DATASET), DATASET) == []


def test_a_missing_column_is_named_with_its_type():
    assert schema_differences(without_column("beat"), DATASET) == ["column beat (text) is missing"]


def test_a_column_of_another_type_is_named_with_both_types():
    view = seeded_view(DATASET)
    next(c for c in view["columns"] if c["fieldName"] == "zip")["dataTypeName"] = "number"
    assert schema_differences(view, DATASET) == ["column zip is number, the mart's is text"]


def test_a_column_the_mart_does_not_have_is_named():
    view = seeded_view(DATASET)
    view["columns"].append({"id": 1, "fieldName": "caller_name", "dataTypeName": "text"})
    assert schema_differences(view, DATASET) == [
        "column caller_name (text) is not a public column of the mart"
    ]


def test_a_row_identifier_on_another_column_is_named():
    view = copy.deepcopy(seeded_view(DATASET))
    view["rowIdentifierColumnId"] = next(
        c["id"] for c in view["columns"] if c["fieldName"] == "beat"
    )
    assert schema_differences(view, DATASET) == [
        "the row identifier is beat, the mart's is nopd_item"
    ]


def test_system_columns_of_the_view_are_not_differences():
    view = seeded_view(DATASET)
    view["columns"].append({"id": 2, "fieldName": ":id", "dataTypeName": "meta_data"})
    assert schema_differences(view, DATASET) == []


def test_a_dataset_lacking_a_column_gets_no_row_and_the_error_names_column_and_fix(
    client, mart, portal
):
    seed_view(portal.url, DATASET_ID, without_column("beat"))
    mart.write([mart_row(n) for n in range(3)])
    with pytest.raises(PublicDatasetMismatch) as raised:
        publish(client, mart)
    message = str(raised.value)
    assert "column beat (text) is missing" in message
    assert "provision_public_datasets" in message
    assert "python -m orchestration.publishing.provision --dataset calls_for_service" in message
    assert writes(portal) == []


def test_a_dataset_missing_from_the_portal_is_named_with_the_fix(client, mart, portal):
    mart.write([mart_row(1)])
    with mart.connect() as connection, pytest.raises(PublicDatasetMismatch) as raised:
        publish_window(
            client,
            connection,
            DATASET,
            DayWindow(DAY, DAY + timedelta(days=1)),
            dataset_id="none-0000",
            run_id="r",
        )
    assert "none-0000 does not exist on the portal" in str(raised.value)
    assert writes(portal) == []
