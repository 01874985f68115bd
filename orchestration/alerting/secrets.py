"""Credentials blanked out of text the platform records or sends.

The Socrata client and the steps never put a password, app token or webhook URL in an error
on purpose, but an error's text is written by many hands (requests, sodapy, a portal's
answer) and lands in the warehouse and a webhook post. As a last line, every credential the
process was configured with (an environment variable named like one) is replaced by its
variable's name before a failure is recorded.
"""

from __future__ import annotations

import base64
import logging
import os
from collections.abc import Mapping
from urllib.parse import urlsplit

SECRET_SUFFIXES = ("_PASSWORD", "_APP_TOKEN", "_TOKEN", "_SECRET", "_USERNAME", "_WEBHOOK_URL")
SHORTEST_SECRET = 4


def secret_values(environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """Secret value -> the variable holding it, longest values first."""
    environ = os.environ if environ is None else environ
    found: dict[str, str] = {}
    for name, value in environ.items():
        value = value.strip()
        if name.endswith(SECRET_SUFFIXES) and len(value) >= SHORTEST_SECRET:
            found.setdefault(value, name)
        if name.endswith("_URL") and name.endswith(SECRET_SUFFIXES):
            path = urlsplit(value).path  # a hook's path is its credential
            if len(path.strip("/")) >= SHORTEST_SECRET:
                found.setdefault(path, f"{name} path")
    users = {n[: -len("_USERNAME")]: v for n, v in environ.items() if n.endswith("_USERNAME")}
    for prefix, user in users.items():
        password = environ.get(f"{prefix}_PASSWORD", "")
        if user and password:  # what HTTP Basic puts on the wire
            basic = base64.b64encode(f"{user}:{password}".encode()).decode()
            found.setdefault(basic, f"{prefix}_PASSWORD")
    return dict(sorted(found.items(), key=lambda item: -len(item[0])))


def scrubbed(text: str, environ: Mapping[str, str] | None = None) -> str:
    """`text` with every configured secret replaced by `<VARIABLE>`."""
    for value, name in secret_values(environ).items():
        text = text.replace(value, f"<{name}>")
    return text


class ScrubSecrets(logging.Filter):
    """Rewrites a log record without configured secrets (urllib3 logs each request's path)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        clean = scrubbed(message)
        if clean != message:
            record.msg, record.args = clean, None
        return True


def scrub_library_logs(logger_names: tuple[str, ...] = ("urllib3.connectionpool",)) -> None:
    """Install the filter on the loggers of libraries that log request lines (once each)."""
    for name in logger_names:
        logger = logging.getLogger(name)
        if not any(isinstance(f, ScrubSecrets) for f in logger.filters):
            logger.addFilter(ScrubSecrets())
