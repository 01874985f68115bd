"""The client gets through each fault kind within its retry budget, and past it names the
dataset without leaking a credential."""

from __future__ import annotations

import time

import pytest

from orchestration.socrata.client import SocrataError
from tests.faults.conftest import (
    DATASET,
    FAULT_KINDS,
    PASSWORD,
    USER,
    clear_faults,
    logged,
    make_client,
    queue_fault,
)


def faulted_then_answered(portal, method: str, expected: int = 2) -> list:
    """(fault, status) of the logged `method` requests; waits for `expected` of them, since
    a stalled request is logged only when its late answer goes out, after the retry's."""
    deadline = time.monotonic() + 5
    while True:
        entries = [(e.get("fault"), e["status"]) for e in logged(portal) if e["method"] == method]
        if len(entries) >= expected or time.monotonic() > deadline:
            return entries
        time.sleep(0.05)


@pytest.mark.parametrize("kind", FAULT_KINDS)
def test_a_json_query_survives_one_fault_of_each_kind(portal, client, kind):
    queue_fault(portal, path_prefix=f"/resource/{DATASET}", **FAULT_KINDS[kind])
    assert len(client.get(DATASET, limit=100)) == 40
    entries = faulted_then_answered(portal, "GET")
    assert len(entries) == 2 and (None, 200) in entries


@pytest.mark.parametrize("kind", FAULT_KINDS)
def test_a_csv_download_survives_one_fault_of_each_kind(portal, client, kind, tmp_path):
    queue_fault(portal, path_prefix=f"/resource/{DATASET}", **FAULT_KINDS[kind])
    target = tmp_path / "page.csv"
    client.download_csv(DATASET, target, order=":id", limit=100)
    assert len(target.read_text().splitlines()) == 41
    assert len(faulted_then_answered(portal, "GET")) == 2


@pytest.mark.parametrize("kind", FAULT_KINDS)
def test_an_upsert_survives_one_fault_of_each_kind(portal, client, kind):
    queue_fault(portal, path_prefix=f"/resource/{DATASET}", **FAULT_KINDS[kind])
    answer = client.upsert(DATASET, [{"nopd_item": "NEW-1", "typetext": "X"}])
    assert answer["Errors"] == 0
    assert client.count(DATASET, "nopd_item = 'NEW-1'") == 1
    assert len(faulted_then_answered(portal, "POST")) == 2


@pytest.mark.parametrize("kind", ["500", "reset", "truncated", "cut_mid_row"])
def test_past_the_budget_the_error_names_the_dataset_and_no_credential(portal, kind, tmp_path):
    queue_fault(portal, path_prefix=f"/resource/{DATASET}", count=50, **FAULT_KINDS[kind])
    with (
        make_client(portal, max_retries=2, app_token="t0ken-value") as client,
        pytest.raises(SocrataError) as raised,
    ):
        client.download_csv(DATASET, tmp_path / "page.csv", limit=10)
    clear_faults(portal)
    message = str(raised.value)
    assert DATASET in message
    assert PASSWORD not in message and "t0ken-value" not in message
    assert f"{USER}:" not in message
    # The budget is bounded: the first attempt and two retries, whatever the layer.
    assert len(logged(portal)) <= 3 * 3
