"""The failure webhook: where failure summaries are posted, without giving its secret away.

A chat or paging hook's URL is its credential (`https://hooks.example.com/services/T0/B0/
<secret>`), so the URL never appears in an error: a failed post names the scheme and host
only, and the `requests` exception (whose text holds the whole URL) is not chained. The post
leaves the city's network, so it goes over HTTPS; plain HTTP is accepted only to a loopback
host (a local receiver, a test), the same rule the Socrata client applies. urllib3 logs each
request's path at DEBUG, so its log records pass through the secret filter first.
"""

from __future__ import annotations

import os
from urllib.parse import urlsplit

import dagster as dg
import requests
from pydantic import Field

from orchestration.alerting.secrets import scrub_library_logs
from orchestration.socrata.client import is_loopback_host


class WebhookRefusedError(ValueError):
    """The configured URL is not one a failure summary may be sent to."""


class WebhookPostError(RuntimeError):
    """The webhook did not take the post; the message names its host, never its path."""


def webhook_origin(url: str) -> str:
    """`scheme://host[:port]` of a URL: what an error may say about where a post went."""
    parts = urlsplit(url)
    host = parts.hostname or "?"
    if ":" in host:
        host = f"[{host}]"
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}"


def checked_webhook_url(url: str, variable: str) -> str:
    """The URL, if it is HTTPS, or plain HTTP to a loopback host; otherwise refused."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise WebhookRefusedError(f"{variable} must be an https:// URL with a host")
    if parts.username or parts.password:
        raise WebhookRefusedError(f"{variable} must not carry credentials in the URL")
    if parts.scheme == "http" and not is_loopback_host(parts.hostname):
        raise WebhookRefusedError(
            f"{variable} points at {webhook_origin(url)} over plain HTTP; failure summaries go "
            "to other hosts over HTTPS only (plain HTTP is allowed to loopback hosts)"
        )
    return url


class FailureWebhookResource(dg.ConfigurableResource):
    """Where failure summaries are posted; nothing is posted when the variable is empty."""

    url_variable: str = Field(
        default="FAILURE_WEBHOOK_URL", description="Environment variable holding the URL."
    )
    timeout_s: float = 10.0

    def post(self, payload: dict[str, object]) -> bool:
        url = os.environ.get(self.url_variable, "").strip()
        if not url:
            return False
        url = checked_webhook_url(url, self.url_variable)
        scrub_library_logs()
        try:
            answer = requests.post(url, json=payload, timeout=self.timeout_s)
        except requests.RequestException as error:
            message = f"posting to the failure webhook at {webhook_origin(url)} failed"
            raise WebhookPostError(f"{message}: {type(error).__name__}") from None
        if not answer.ok:
            raise WebhookPostError(
                f"the failure webhook at {webhook_origin(url)} answered {answer.status_code}"
            )
        return True
