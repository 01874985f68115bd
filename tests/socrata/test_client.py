"""The Socrata client: loopback-only plain HTTP, retries, stable paging, checked writes."""

from __future__ import annotations

import json

import pytest
import requests

from orchestration.socrata.client import (
    PortalRefused,
    SocrataClient,
    SocrataError,
    page_cap,
    split_domain,
)
from tests.public_datasets import seed_dataset
from tooling.local_portal.server import serve_in_thread

DATASET = "test-cfs1"


@pytest.fixture
def portal(tmp_path):
    with serve_in_thread(tmp_path, username="publisher", password="s3cret") as handle:
        yield handle


@pytest.fixture
def client(portal):
    with SocrataClient(
        f"{portal.host}:{portal.port}",
        username="publisher",
        password="s3cret",
        backoff_s=0.01,
        timeout_s=5,
    ) as client:
        yield client


def create_dataset(client: SocrataClient, rows: list[dict]) -> None:
    seed_dataset(
        client.base_url, DATASET, [("nopd_item", "text"), ("typetext", "text")], "nopd_item"
    )
    if rows:
        client.upsert(DATASET, rows)


def inject_faults(portal, **fault) -> None:
    requests.post(f"{portal.url}/_portal/faults", data=json.dumps(fault), timeout=5)


@pytest.mark.parametrize("domain", ["127.0.0.1:8801", "localhost:9000", "[::1]:8080"])
def test_loopback_hosts_are_spoken_to_over_plain_http(domain):
    assert split_domain(domain)[0] == "http"


def test_other_hosts_are_spoken_to_over_https_only():
    assert split_domain("data.nola.gov") == ("https", "data.nola.gov")
    with pytest.raises(ValueError, match="loopback"):
        split_domain("http://data.nola.gov")


def test_upsert_reports_socratas_counts(client):
    create_dataset(client, [])
    answer = client.upsert(DATASET, [{"nopd_item": "A0000122", "typetext": "THEFT"}])
    assert answer["Rows Created"] == 1


def test_missing_dataset_view_is_none(client):
    assert client.get_view("nope-nope") is None


def test_iter_pages_reads_every_row_once_in_id_order(client):
    rows = [{"nopd_item": f"A{n:07d}", "typetext": "THEFT"} for n in range(25)]
    create_dataset(client, rows)
    pages = list(client.iter_pages(DATASET, page_size=10))
    assert [len(page) for page in pages] == [10, 10, 5]
    read = [row for page in pages for row in page]
    # The portal's :id order is its row order (here the upsert's), not the texts' order.
    assert [row["nopd_item"] for row in read] == [row["nopd_item"] for row in rows]
    ids = [row[":id"] for row in read]
    assert ids != sorted(ids) and len(set(ids)) == 25


def test_count_applies_the_where_clause(client):
    create_dataset(client, [{"nopd_item": f"A{n:07d}", "typetext": "THEFT"} for n in range(5)])
    assert client.count(DATASET, "nopd_item >= 'A0000003'") == 2


def test_rate_limited_requests_are_retried_after_the_servers_delay(portal, client):
    create_dataset(client, [{"nopd_item": "A0000122", "typetext": "THEFT"}])
    inject_faults(portal, status=429, count=2, retry_after=0)
    assert client.count(DATASET) == 1


def test_server_errors_are_retried(portal, client):
    create_dataset(client, [{"nopd_item": "A0000122", "typetext": "THEFT"}])
    inject_faults(portal, status=503, count=2)
    assert client.count(DATASET) == 1


def test_persistent_errors_surface_as_socrata_errors(portal, client):
    create_dataset(client, [])
    inject_faults(portal, status=500, count=20)
    with pytest.raises(SocrataError):
        client.count(DATASET)


def reads_of(portal, path: str) -> list[dict]:
    log = requests.get(f"{portal.url}/_portal/requests", timeout=5).json()
    return [entry for entry in log if entry["method"] == "GET" and entry["path"] == path]


def test_a_not_ready_answer_is_asked_again_until_it_is_ready(portal, client):
    # ../shared/socrata/docs/docs_response-codes.md: 202, "not ready, retry later".
    create_dataset(client, [{"nopd_item": "A0000122", "typetext": "THEFT"}])
    inject_faults(portal, status=202, count=2)
    assert client.count(DATASET) == 1
    assert len(reads_of(portal, f"/resource/{DATASET}.json")) == 3


def test_a_not_ready_answer_past_the_budget_is_an_error_not_an_answer(portal):
    with SocrataClient(f"{portal.host}:{portal.port}", max_retries=1, backoff_s=0.01) as client:
        inject_faults(portal, status=202, count=5)
        with pytest.raises(SocrataError, match=r"failed with 202 .*still processing"):
            client.get(DATASET)


def test_a_refused_request_is_asked_once_and_shows_the_portals_reason(portal, client):
    create_dataset(client, [{"nopd_item": "A0000122", "typetext": "THEFT"}])
    with pytest.raises(PortalRefused) as refused:
        client.get(DATASET, where="no_such_field = 'x'")
    assert refused.value.status == 400
    assert "no_such_field" in str(refused.value), "Socrata's message, not '400 Client Error'"
    assert len(reads_of(portal, f"/resource/{DATASET}.json")) == 1


def test_a_refused_csv_read_shows_the_portals_reason(portal, client, tmp_path):
    create_dataset(client, [{"nopd_item": "A0000122", "typetext": "THEFT"}])
    with pytest.raises(PortalRefused, match="no_such_field"):
        client.download_csv(DATASET, tmp_path / "rows.csv", where="no_such_field = 'x'")


def test_writes_without_credentials_are_refused(portal):
    with (
        SocrataClient(f"{portal.host}:{portal.port}", max_retries=0) as anonymous,
        pytest.raises(SocrataError),
    ):
        anonymous.patch_metadata(DATASET, {"name": "x"})


def test_timed_out_requests_are_retried(portal):
    with SocrataClient(
        f"{portal.host}:{portal.port}",
        username="publisher",
        password="s3cret",
        timeout_s=0.5,
        backoff_s=0.01,
    ) as client:
        create_dataset(client, [{"nopd_item": "A0000122", "typetext": "THEFT"}])
        inject_faults(portal, delay_s=2, count=1)
        assert client.count(DATASET) == 1


def test_a_domain_with_credentials_in_it_is_refused_without_echoing_them():
    with pytest.raises(ValueError, match="without credentials") as refused:
        split_domain("publisher:s3cret@data.example.gov")
    assert "s3cret" not in str(refused.value)


def requests_to(portal, path: str) -> list[dict]:
    entries = requests.get(f"{portal.url}/_portal/requests", timeout=5).json()
    return [entry for entry in entries if entry["path"] == path]


def test_a_write_may_take_longer_than_a_read_without_being_sent_again(portal):
    with SocrataClient(
        f"{portal.host}:{portal.port}",
        username="publisher",
        password="s3cret",
        timeout_s=0.5,
        write_timeout_s=10,
        backoff_s=0.01,
    ) as client:
        create_dataset(client, [])
        inject_faults(portal, delay_s=1.5, count=1, path_prefix=f"/resource/{DATASET}")
        client.upsert(DATASET, [{"nopd_item": "A0000122", "typetext": "THEFT"}])
    assert len(requests_to(portal, f"/resource/{DATASET}.json")) == 1


def test_a_bulk_csv_read_may_wait_longer_than_a_read_without_being_asked_again(portal, tmp_path):
    with SocrataClient(
        f"{portal.host}:{portal.port}",
        username="publisher",
        password="s3cret",
        timeout_s=0.5,
        bulk_read_timeout_s=10,
        backoff_s=0.01,
    ) as client:
        create_dataset(client, [{"nopd_item": "A0000122", "typetext": "THEFT"}])
        inject_faults(portal, delay_s=1.5, count=1, path_prefix=f"/resource/{DATASET}")
        client.download_csv(DATASET, tmp_path / "rows.csv")
    assert len(requests_to(portal, f"/resource/{DATASET}.csv")) == 1


def test_a_view_on_the_new_backend_has_no_page_cap_and_any_other_the_2_0_cap():
    # docs_paging.md: 2.1 endpoints take any $limit, 2.0 endpoints at most 50,000
    assert page_cap({"newBackend": True}) is None
    assert page_cap({"newBackend": False}) == 50_000
    assert page_cap({}) == 50_000
