"""Writes of a body already rendered as JSON text: sent as is, retried and checked alike."""

from __future__ import annotations

import json

import pytest
import requests

from orchestration.socrata.client import SocrataClient, SocrataError
from tests.public_datasets import seed_dataset
from tooling.local_portal.server import serve_in_thread

DATASET = "text-cfs1"


@pytest.fixture
def portal(tmp_path):
    with serve_in_thread(tmp_path, username="publisher", password="s3cret") as handle:
        yield handle


@pytest.fixture
def client(portal):
    with SocrataClient(
        f"{portal.host}:{portal.port}", username="publisher", password="s3cret", backoff_s=0.01
    ) as client:
        seed_dataset(
            portal.url, DATASET, [("nopd_item", "text"), ("typetext", "text")], "nopd_item"
        )
        yield client


def body(rows: list[dict]) -> bytes:
    return json.dumps(rows, separators=(",", ":")).encode("utf-8")


def items(client: SocrataClient) -> dict[str, str | None]:
    return {row["nopd_item"]: row.get("typetext") for row in client.get(DATASET)}


def test_an_upserted_body_creates_and_deletes_rows_and_answers_the_counts(client):
    client.upsert(DATASET, [{"nopd_item": "A1", "typetext": "THEFT"}])
    answer = client.upsert_json_text(
        DATASET,
        body([{"nopd_item": "A2", "typetext": "É 😀"}, {"nopd_item": "A1", ":deleted": True}]),
    )
    assert (answer["Rows Created"], answer["Rows Deleted"]) == (1, 1)
    assert items(client) == {"A2": "É 😀"}


def test_a_replacing_body_swaps_every_row(client):
    client.upsert(DATASET, [{"nopd_item": "A1", "typetext": "THEFT"}])
    client.replace_json_text(DATASET, body([{"nopd_item": "B1", "typetext": None}]))
    assert items(client) == {"B1": None}


def test_a_body_is_sent_again_after_a_server_error(portal, client):
    requests.post(
        f"{portal.url}/_portal/faults", data=json.dumps({"status": 503, "count": 2}), timeout=5
    )
    client.upsert_json_text(DATASET, body([{"nopd_item": "A1", "typetext": "THEFT"}]))
    assert items(client) == {"A1": "THEFT"}


def test_a_refused_body_is_a_socrata_error_naming_the_write(client):
    with pytest.raises(SocrataError, match="upsert into text-cfs1 failed with 400"):
        client.upsert_json_text(DATASET, body([{"nopd_item": "A1", "beat": "6E04"}]))
