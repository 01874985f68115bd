"""What each injected fault does on the wire, seen by a plain HTTP client."""

from __future__ import annotations

import http.client

import pytest
import requests

from tests.faults.conftest import DATASET, PASSWORD, USER, clear_log, logged, queue_fault


def raw_get(portal, path: str) -> tuple[http.client.HTTPResponse, http.client.HTTPConnection]:
    connection = http.client.HTTPConnection(portal.host, portal.port, timeout=5)
    connection.request("GET", path)
    return connection.getresponse(), connection


def test_a_reset_fault_drops_the_request_without_an_answer(portal, client):
    queue_fault(portal, kind="reset", path_prefix=f"/resource/{DATASET}")
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{portal.url}/resource/{DATASET}.json", timeout=5)
    assert logged(portal)[-1]["status"] is None
    assert logged(portal)[-1]["fault"] == "reset"


def test_a_reset_write_is_not_applied(portal, client):
    queue_fault(portal, kind="reset", path_prefix=f"/resource/{DATASET}")
    with pytest.raises(requests.ConnectionError):
        requests.post(
            f"{portal.url}/resource/{DATASET}.json",
            json=[{"nopd_item": "NEW-1"}],
            auth=(USER, PASSWORD),
            timeout=5,
        )
    assert client.count(DATASET, "nopd_item = 'NEW-1'") == 0


@pytest.mark.parametrize("kind", ["truncated", "reset_mid_body"])
def test_a_broken_body_is_shorter_than_its_content_length(portal, client, kind):
    queue_fault(portal, kind=kind, path_prefix=f"/resource/{DATASET}")
    answer, connection = raw_get(portal, f"/resource/{DATASET}.csv")
    length = int(answer.headers["Content-Length"])
    with pytest.raises((http.client.IncompleteRead, ConnectionResetError)):
        answer.read()
    connection.close()
    assert length > 0


def test_a_broken_write_answer_comes_after_the_write_was_applied(portal, client):
    queue_fault(portal, kind="truncated", path_prefix=f"/resource/{DATASET}")
    with pytest.raises(requests.RequestException):
        requests.post(
            f"{portal.url}/resource/{DATASET}.json",
            json=[{"nopd_item": "NEW-2"}],
            auth=(USER, PASSWORD),
            timeout=5,
        ).json()
    assert client.count(DATASET, "nopd_item = 'NEW-2'") == 1


def test_a_csv_cut_mid_row_has_a_matching_length_and_ends_inside_a_row(portal, client):
    whole = requests.get(f"{portal.url}/resource/{DATASET}.csv", timeout=5).content
    queue_fault(portal, kind="cut_mid_row", path_prefix=f"/resource/{DATASET}")
    answer = requests.get(f"{portal.url}/resource/{DATASET}.csv", timeout=5)
    assert answer.status_code == 200
    assert int(answer.headers["Content-Length"]) == len(answer.content)
    assert whole.startswith(answer.content)
    last_row = whole.rstrip(b"\n").rsplit(b"\n", 1)[1]
    assert 0 < len(answer.content) - whole.rstrip(b"\n").rfind(b"\n") - 1 < len(last_row)


def test_a_fault_aimed_at_a_dataset_spares_a_dataset_whose_id_extends_it(portal, client):
    queue_fault(portal, status=500, path_prefix=f"/resource/{DATASET}", count=3)
    longer = f"{portal.url}/resource/{DATASET}x.json"
    assert requests.get(longer, timeout=5).status_code == 404
    for suffix in (".json", ".csv", "/F00001-26.json"):
        assert (
            requests.get(f"{portal.url}/resource/{DATASET}{suffix}", timeout=5).status_code == 500
        )


def test_skip_lets_that_many_matching_requests_through_first(portal, client):
    queue_fault(portal, status=503, skip=2, count=1, path_prefix=f"/resource/{DATASET}")
    url = f"{portal.url}/resource/{DATASET}.json"
    assert [requests.get(url, timeout=5).status_code for _ in range(4)] == [200, 200, 503, 200]


def test_chained_faults_each_take_the_request_their_skip_points_at(portal, client):
    for number, status in enumerate((500, 503, 429)):
        queue_fault(portal, status=status, skip=2 * number, path_prefix=f"/resource/{DATASET}")
    url = f"{portal.url}/resource/{DATASET}.json"
    statuses = [requests.get(url, timeout=5).status_code for _ in range(6)]
    assert statuses == [500, 200, 503, 200, 429, 200]


def test_the_request_log_names_the_fault_each_request_got(portal, client):
    clear_log(portal)
    queue_fault(portal, status=500, path_prefix=f"/resource/{DATASET}")
    url = f"{portal.url}/resource/{DATASET}.json"
    requests.get(url, timeout=5)
    requests.get(url, timeout=5)
    assert [(e["status"], e.get("fault")) for e in logged(portal)] == [
        (500, "status 500"),
        (200, None),
    ]


@pytest.mark.parametrize(
    "fault",
    [{"kind": "explode"}, {"kind": "reset", "status": 500}, {"status": 500, "skip": -1}],
)
def test_an_invalid_wire_fault_is_refused(portal, fault):
    assert requests.post(f"{portal.url}/_portal/faults", json=fault, timeout=5).status_code == 400


def test_a_stalled_answer_outlasts_a_short_timeout(portal, client):
    queue_fault(portal, delay_s=1.0, path_prefix=f"/resource/{DATASET}")
    with pytest.raises(requests.Timeout):
        requests.get(f"{portal.url}/resource/{DATASET}.json", timeout=0.3)
