"""Fault injection and the request log, which fault tests of clients are built on."""

from __future__ import annotations

import time

import pytest
import requests
from requests.adapters import HTTPAdapter
from sodapy import Socrata
from urllib3.util.retry import Retry

from tests.portal.conftest import CFS_ID


def queue_fault(portal, **fault) -> dict:
    answer = requests.post(f"{portal.url}/_portal/faults", json=fault, timeout=5)
    answer.raise_for_status()
    return answer.json()["queued"]


def logged(portal) -> list[dict]:
    return requests.get(f"{portal.url}/_portal/requests", timeout=5).json()


def test_a_queued_429_is_answered_with_retry_after_then_service_resumes(portal):
    queue_fault(portal, status=429, count=2, retry_after=7)
    url = f"{portal.url}/resource/{CFS_ID}.json"
    for _ in range(2):
        answer = requests.get(url, timeout=5)
        assert answer.status_code == 429
        assert answer.headers["Retry-After"] == "7"
        assert answer.json()["error"] is True
    assert requests.get(url, timeout=5).status_code == 200
    assert requests.get(f"{portal.url}/_portal/faults", timeout=5).json() == []


def test_faults_apply_only_under_their_path_prefix(portal):
    queue_fault(portal, status=503, path_prefix="/api/views/")
    assert requests.get(f"{portal.url}/resource/{CFS_ID}.json", timeout=5).status_code == 200
    assert requests.get(f"{portal.url}/api/views/{CFS_ID}.json", timeout=5).status_code == 503


def test_a_delay_fault_answers_slowly_but_correctly(portal):
    queue_fault(portal, delay_s=0.3)
    started = time.monotonic()
    answer = requests.get(f"{portal.url}/resource/{CFS_ID}.json", timeout=5)
    assert time.monotonic() - started >= 0.3
    assert answer.status_code == 200


def test_a_retrying_client_gets_its_upsert_through_a_500(portal):
    queue_fault(portal, status=500, path_prefix="/resource/")
    retry = Retry(total=2, backoff_factor=0, status_forcelist=[500], allowed_methods=None)
    adapter = {"prefix": "http://", "adapter": HTTPAdapter(max_retries=retry)}
    with Socrata(f"{portal.host}:{portal.port}", None, session_adapter=adapter) as client:
        answer = client.upsert(CFS_ID, [{"nopd_item": "A0001-22"}, {"nopd_item": "A0009-22"}])
    assert answer["Rows Created"] == 1
    assert [(e["method"], e["rows"], e["status"]) for e in logged(portal)] == [
        ("POST", 2, 500),
        ("POST", 2, 200),
    ]


def test_the_request_log_records_what_was_asked_and_can_be_cleared(client, portal):
    client.get(CFS_ID, where="mapx > 1", limit=2)
    entry = logged(portal)[-1]
    assert entry == {
        "method": "GET",
        "path": f"/resource/{CFS_ID}.json",
        "query": {"$where": "mapx > 1", "$limit": "2"},
        "rows": None,
        "status": 200,
    }
    requests.delete(f"{portal.url}/_portal/requests", timeout=5)
    assert logged(portal) == []


def test_cleared_faults_are_not_answered(portal):
    queue_fault(portal, status=500, count=5)
    requests.delete(f"{portal.url}/_portal/faults", timeout=5)
    assert requests.get(f"{portal.url}/resource/{CFS_ID}.json", timeout=5).status_code == 200


@pytest.mark.parametrize(
    "fault",
    [{"status": 200}, {"status": 500, "count": 0}, {"delay_s": 1000}, {}, {"status": 500, "x": 1}],
)
def test_an_invalid_fault_is_refused(portal, fault):
    answer = requests.post(f"{portal.url}/_portal/faults", json=fault, timeout=5)
    assert answer.status_code == 400


def test_the_request_log_names_the_rows_a_write_upserted_and_deleted(client, portal):
    client.upsert(CFS_ID, [{"nopd_item": "A0009-22"}, {"nopd_item": "A0001-22", ":deleted": True}])
    entry = logged(portal)[-1]
    assert (entry["method"], entry["rows"]) == ("POST", 2)
    assert entry["upserted_keys"] == ["A0009-22"]
    assert entry["deleted_keys"] == ["A0001-22"]


def test_a_queued_429_without_retry_after_has_no_retry_after_header(portal):
    # docs/docs_response-codes.md, docs/docs_app-tokens.md: a 429 is throttling; Socrata does
    # not promise a Retry-After, so a client must cope without one
    queue_fault(portal, status=429)
    answer = requests.get(f"{portal.url}/resource/{CFS_ID}.json", timeout=5)
    assert answer.status_code == 429
    assert "Retry-After" not in answer.headers
