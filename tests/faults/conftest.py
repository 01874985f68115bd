"""Fault tests: a portal holding a small dataset, a client, and helpers to queue faults."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from orchestration.socrata.client import SocrataClient
from tests.public_datasets import seed_dataset
from tooling.local_portal.server import PortalHandle, serve_in_thread

DATASET = "flt1-test"
USER, PASSWORD = "publisher", "s3cret-pw"
# Every kind of fault the portal can inject: refusals, a stall, and broken answers.
FAULT_KINDS = {
    "429": {"status": 429, "retry_after": 0},
    "500": {"status": 500},
    "503": {"status": 503},
    "stall": {"delay_s": 1.5},
    "reset": {"kind": "reset"},
    "reset_mid_body": {"kind": "reset_mid_body"},
    "truncated": {"kind": "truncated"},
    "cut_mid_row": {"kind": "cut_mid_row"},
}
STALL_TIMEOUT_S = 1.0  # the client timeout the stall outlasts


def queue_fault(portal: PortalHandle, **fault: object) -> dict:
    answer = requests.post(f"{portal.url}/_portal/faults", json=fault, timeout=5)
    answer.raise_for_status()
    return answer.json()["queued"]


def clear_faults(portal: PortalHandle) -> None:
    requests.delete(f"{portal.url}/_portal/faults", timeout=5).raise_for_status()


def logged(portal: PortalHandle) -> list[dict]:
    return requests.get(f"{portal.url}/_portal/requests", timeout=5).json()


def clear_log(portal: PortalHandle) -> None:
    requests.delete(f"{portal.url}/_portal/requests", timeout=5).raise_for_status()


def dataset_rows(count: int) -> list[dict]:
    return [
        {
            "nopd_item": f"F{n:05d}-26",
            "typetext": f"THEFT {n}",
            "timecreate": f"2026-11-02T0{n % 10}:00:00",
        }
        for n in range(count)
    ]


def create_dataset(client: SocrataClient, dataset_id: str, rows: list[dict]) -> None:
    seed_dataset(
        client.base_url,
        dataset_id,
        [("nopd_item", "text"), ("typetext", "text"), ("timecreate", "calendar_date")],
        row_identifier="nopd_item",
        name="Fault test",
    )
    if rows:
        client.upsert(dataset_id, rows)


@pytest.fixture
def portal(tmp_path) -> Iterator[PortalHandle]:
    with serve_in_thread(tmp_path / "portal", username=USER, password=PASSWORD) as handle:
        yield handle


def make_client(portal: PortalHandle, **kwargs: object) -> SocrataClient:
    settings = {"username": USER, "password": PASSWORD, "backoff_s": 0.01}
    settings |= dict.fromkeys(("timeout_s", "write_timeout_s", "bulk_read_timeout_s"), 5.0)
    return SocrataClient(f"{portal.host}:{portal.port}", **{**settings, **kwargs})


@pytest.fixture
def client(portal) -> Iterator[SocrataClient]:
    stall = dict.fromkeys(("timeout_s", "write_timeout_s", "bulk_read_timeout_s"), STALL_TIMEOUT_S)
    with make_client(portal, **stall) as client:
        create_dataset(client, DATASET, dataset_rows(40))
        clear_log(portal)
        yield client
