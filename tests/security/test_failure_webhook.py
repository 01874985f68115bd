"""The failure webhook goes over HTTPS (plain HTTP only to loopback), and a failed post
never repeats the URL, whose path is the hook's secret."""

from __future__ import annotations

import logging
import socket
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
import requests

from orchestration.alerting.webhook import (
    FailureWebhookResource,
    WebhookPostError,
    WebhookRefusedError,
)

SECRET = "hook-secret-Nw47Pc3"
PAYLOAD = {"text": "daily_publish failed"}


@pytest.fixture
def nothing_sent(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the webhook was called")

    monkeypatch.setattr(requests, "post", refuse)


def chain_text(error: BaseException) -> str:
    """The error and everything chained to it, as a traceback would print them."""
    texts = []
    while error is not None:
        texts.append(f"{type(error).__name__}: {error}")
        error = error.__cause__ or (None if error.__suppress_context__ else error.__context__)
    return "\n".join(texts)


def test_plain_http_to_a_remote_webhook_is_refused_before_sending(monkeypatch, nothing_sent):
    monkeypatch.setenv("FAILURE_WEBHOOK_URL", f"http://hooks.example.com/services/{SECRET}")
    with pytest.raises(WebhookRefusedError, match="plain HTTP") as refused:
        FailureWebhookResource().post(PAYLOAD)
    assert "hooks.example.com" in str(refused.value)
    assert SECRET not in chain_text(refused.value)


def test_credentials_in_the_webhook_url_are_refused(monkeypatch, nothing_sent):
    monkeypatch.setenv("FAILURE_WEBHOOK_URL", f"https://bot:{SECRET}@hooks.example.com/x")
    with pytest.raises(WebhookRefusedError) as refused:
        FailureWebhookResource().post(PAYLOAD)
    assert SECRET not in chain_text(refused.value)


class _Failing(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        self.send_response(500)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


def test_a_webhook_answering_an_error_is_reported_without_its_secret(monkeypatch):
    server = HTTPServer(("127.0.0.1", 0), _Failing)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setenv("FAILURE_WEBHOOK_URL", f"http://127.0.0.1:{server.server_port}/{SECRET}")
    try:
        with pytest.raises(WebhookPostError, match="500") as failed:
            FailureWebhookResource().post(PAYLOAD)
    finally:
        server.shutdown()
        server.server_close()
    assert f"127.0.0.1:{server.server_port}" in str(failed.value)
    assert SECRET not in chain_text(failed.value)


def test_an_unreachable_webhook_is_reported_without_its_secret(monkeypatch):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed again: nothing listens there
    monkeypatch.setenv("FAILURE_WEBHOOK_URL", f"http://127.0.0.1:{port}/services/{SECRET}")
    with pytest.raises(WebhookPostError) as failed:
        FailureWebhookResource(timeout_s=2).post(PAYLOAD)
    assert SECRET not in chain_text(failed.value)


class _Taking(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        self.rfile.read(int(self.headers["Content-Length"]))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


def test_a_posts_debug_log_lines_hold_no_webhook_secret(monkeypatch, caplog):
    server = HTTPServer(("127.0.0.1", 0), _Taking)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setenv("FAILURE_WEBHOOK_URL", f"http://127.0.0.1:{server.server_port}/{SECRET}")
    try:
        # urllib3's own logger too: a library may have set it to WARNING (the kubernetes
        # client does when dagster-k8s is imported), and the test is about what it logs.
        with caplog.at_level(logging.DEBUG), caplog.at_level(logging.DEBUG, logger="urllib3"):
            assert FailureWebhookResource().post(PAYLOAD)
    finally:
        server.shutdown()
        server.server_close()
    assert any("POST" in record.getMessage() for record in caplog.records), "urllib3 logged"
    assert not [r for r in caplog.records if SECRET in r.getMessage()]
