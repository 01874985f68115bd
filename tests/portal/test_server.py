"""The HTTP server itself: loopback only, robust to bad input, clean to stop, and its CLI."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from tests.portal.conftest import CFS_ID
from tooling.local_portal import serve_in_thread

LOCAL_PORTAL = Path(sys.executable).with_name("local-portal")


def raw_request(portal, data: bytes) -> bytes:
    """Send bytes as they are and read the answer until the server closes."""
    with socket.create_connection((portal.host, portal.port), timeout=5) as connection:
        connection.sendall(data)
        chunks = []
        while chunk := connection.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def test_health_answers_ok(portal):
    assert requests.get(f"{portal.url}/_portal/health", timeout=5).json() == {"ok": True}


@pytest.mark.parametrize("host", ["0.0.0.0", "192.0.2.10"])
def test_a_non_loopback_host_is_refused(data_dir, host):
    with pytest.raises(ValueError, match="loopback"):
        serve_in_thread(data_dir, host=host)
    assert not (data_dir / "portal.duckdb").exists()


def test_unknown_paths_are_404_and_wrong_methods_405(portal):
    missing = requests.get(f"{portal.url}/api/nothing", timeout=5)
    assert (missing.status_code, missing.json()["code"]) == (404, "not_found")
    wrong = requests.patch(f"{portal.url}/resource/{CFS_ID}.json", json=[], timeout=5)
    assert wrong.status_code == 405
    assert wrong.headers["Allow"] == "GET, POST, PUT"


@pytest.mark.parametrize(
    "body", [b"[{", b"\xff\xfe", b"", b"[" * 100_000 + b"]" * 100_000, b'{"not": "a list"}']
)
def test_a_malformed_upsert_body_is_a_400(portal, body):
    answer = requests.post(f"{portal.url}/resource/{CFS_ID}.json", data=body, timeout=5)
    assert answer.status_code == 400
    assert answer.json()["error"] is True


@pytest.mark.parametrize(
    "params",
    [
        {"$offset": "9" * 30},
        {"$offset": str(2**62)},
        {"$where": "nopd_item = '\u0928\u092e\u0938\u094d\u0924\u0947 \U0001f6a8'"},
        {"$where": "(" * 5000 + "mapx = 1" + ")" * 5000},
        {"$select": "*, " * 2000 + "*"},
        {"$order": "%zz"},
    ],
)
def test_hostile_queries_are_answered_and_the_server_keeps_serving(portal, params):
    answer = requests.get(f"{portal.url}/resource/{CFS_ID}.json", params=params, timeout=10)
    assert answer.status_code in (200, 400)
    assert requests.get(f"{portal.url}/_portal/health", timeout=5).status_code == 200


def test_a_chunked_body_is_refused_with_411(portal):
    answer = requests.post(
        f"{portal.url}/resource/{CFS_ID}.json", data=iter([b"[", b"]"]), timeout=5
    )
    assert answer.status_code == 411


def test_a_lying_content_length_is_refused(portal):
    answer = raw_request(
        portal,
        b"POST /resource/" + CFS_ID.encode() + b".json HTTP/1.1\r\nHost: x\r\n"
        b"Content-Length: -5\r\nConnection: close\r\n\r\n",
    )
    assert answer.startswith(b"HTTP/1.1 400")


def test_requests_http_server_itself_refuses_get_a_json_error_too(portal):
    garbled = raw_request(portal, b"NONSENSE\r\n\r\n")  # answered as HTTP/0.9: a bare body
    assert json.loads(garbled)["code"] == "http_400"
    options = requests.options(f"{portal.url}/resource/{CFS_ID}.json", timeout=5)
    assert (options.status_code, options.json()["code"]) == (501, "http_501")


def test_stopping_ends_open_keep_alive_connections(cfs_dir):
    portal = serve_in_thread(cfs_dir)
    session = requests.Session()
    assert session.get(f"{portal.url}/_portal/health", timeout=5).ok
    portal.stop()
    portal.stop()
    session.close()
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{portal.url}/_portal/health", timeout=1)


def start_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [str(LOCAL_PORTAL), "serve", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **(env or {})},
    )


def test_the_cli_serves_until_sigterm_with_the_password_from_the_environment(cfs_dir):
    process = start_cli(
        "--data-dir", str(cfs_dir), "--username", "u", env={"LOCAL_PORTAL_PASSWORD": "pw"}
    )
    try:
        line = process.stdout.readline()
        assert line.startswith(f"local portal serving {cfs_dir} on http://127.0.0.1:")
        url = line.split(" on ")[1].strip()
        assert requests.get(f"{url}/resource/{CFS_ID}.json", timeout=5).status_code == 200
        assert requests.post(f"{url}/resource/{CFS_ID}.json", json=[], timeout=5).status_code == 401
        authorised = requests.post(
            f"{url}/resource/{CFS_ID}.json", json=[], auth=("u", "pw"), timeout=5
        )
        assert authorised.status_code == 200
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
        process.stdout.close()
        process.stderr.close()


def test_the_cli_refuses_a_non_loopback_host(data_dir):
    process = start_cli("--data-dir", str(data_dir), "--host", "0.0.0.0")
    _, errors = process.communicate(timeout=20)
    assert process.returncode == 1
    assert "loopback" in errors
