"""An error text is stripped of every configured credential before it is recorded or posted."""

from __future__ import annotations

import base64

from orchestration.alerting.run_failures import summarize

PASSWORD, TOKEN, USER = "pw-Gt51Rk8", "tok-Yh62Bn4", "writer-Lp07"


def configure(monkeypatch) -> None:
    monkeypatch.setenv("PUBLIC_SOCRATA_USERNAME", USER)
    monkeypatch.setenv("PUBLIC_SOCRATA_PASSWORD", PASSWORD)
    monkeypatch.setenv("PUBLIC_SOCRATA_APP_TOKEN", TOKEN)


def test_a_recorded_error_names_the_variable_not_the_password(monkeypatch):
    configure(monkeypatch)
    text = summarize(f"login as {USER} with {PASSWORD} and token {TOKEN} refused")
    assert PASSWORD not in text and TOKEN not in text and USER not in text
    assert "<PUBLIC_SOCRATA_PASSWORD>" in text


def test_a_recorded_error_holds_no_basic_auth_header(monkeypatch):
    configure(monkeypatch)
    header = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
    assert header not in summarize(f"request headers: Authorization: Basic {header}")


def test_the_failure_webhook_url_is_blanked_from_errors(monkeypatch):
    url = "https://hooks.example.com/services/T0/hook-Qs83"
    monkeypatch.setenv("FAILURE_WEBHOOK_URL", url)
    assert url not in summarize(f"could not post to {url}")
