"""Test hooks of the portal: queued faults and a log of the requests it answered.

Fault tests tell the portal to answer the next N requests (under a path prefix) with a
status such as 429, 500 or 503, to answer them slowly (past a client's timeout), or to break
the answer on the wire (`kind`), and then assert through the request log what the client
sent and how often. Both are thread-safe and bounded. A `Retry-After` header goes with a
refusal only when the fault gives `retry_after`: Socrata's 429 may come without one, and a
client must cope with both.

The wire faults are the ones a proxy or a dying server produces and a client sees only
while reading an answer, after the status looked fine:
  reset           the connection is reset (RST) without an answer; a write is NOT applied
  reset_mid_body  the headers and half the body are sent, then the connection is reset
  truncated       fewer bytes than the Content-Length are sent, then the connection closes
  cut_mid_row     the body is cut in the middle of its last row (a CSV line, a JSON row)
                  with a Content-Length that matches: only the content shows the cut
The last three answer after the request was carried out, so a write IS applied: the
client cannot tell whether it was, which is what resending idempotent writes is for.

`path_prefix` matches whole path segments: `/resource/abcd-1234` matches that dataset's
`.json`, `.csv` and row paths, never `/resource/abcd-12345`; that is how a fault is aimed at
one dataset. `skip` lets that many matching requests through before the fault starts, so a
test can break, say, the third page or chunk of a transfer and not the first two.
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import asdict, dataclass
from typing import Any

from tooling.local_portal.errors import bad_request

MAX_FAULT_COUNT = 10_000
SETTINGS = ("status", "count", "retry_after", "delay_s", "path_prefix", "kind", "skip")
WIRE_FAULTS = ("reset", "reset_mid_body", "truncated", "cut_mid_row")
MAX_DELAY_S = 60.0
MAX_RETRY_AFTER_S = 3600
REQUEST_LOG_SIZE = 1000


@dataclass
class Fault:
    """Answer `count` more requests under `path_prefix` with `status` or a broken answer
    (`kind`), after `delay_s`, once `skip` matching requests have gone through."""

    status: int | None
    count: int
    retry_after: int | None
    delay_s: float
    path_prefix: str
    kind: str | None = None
    skip: int = 0

    def label(self) -> str:
        """How the request log names what was done to a request."""
        if self.kind is not None:
            return self.kind
        return f"status {self.status}" if self.status is not None else "stall"

    def matches(self, path: str) -> bool:
        """Whether `path` is under `path_prefix`, taken as whole segments (or a file stem)."""
        prefix = self.path_prefix
        if not path.startswith(prefix):
            return False
        return prefix.endswith("/") or len(path) == len(prefix) or path[len(prefix)] in "/."


def _number(spec: dict[str, Any], key: str, default: float, low: float, high: float) -> float:
    value = spec.get(key, default)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
        raise bad_request(f"fault {key} must be a number from {low:g} to {high:g}")
    return value


def parse_fault(spec: Any) -> Fault:
    """A fault from `POST /_portal/faults`'s JSON body."""
    if not isinstance(spec, dict):
        raise bad_request("a fault is a JSON object")
    unknown = set(spec) - set(SETTINGS)
    if unknown:
        raise bad_request(f"unknown fault settings: {', '.join(sorted(unknown))}")
    status = spec.get("status")
    if status is not None and (
        isinstance(status, bool)
        or not isinstance(status, int)
        or not (status == 202 or 400 <= status <= 599)
    ):
        raise bad_request("fault status must be 202 (not ready) or an HTTP error status (400-599)")
    kind = spec.get("kind")
    if kind is not None and kind not in WIRE_FAULTS:
        raise bad_request(f"fault kind must be one of {', '.join(WIRE_FAULTS)}")
    if kind is not None and status is not None:
        raise bad_request("a fault has a status or a kind, not both")
    delay_s = float(_number(spec, "delay_s", 0.0, 0.0, MAX_DELAY_S))
    if status is None and kind is None and delay_s == 0:
        raise bad_request("a fault needs a status, a kind, a delay_s, or a delay with either")
    retry_after = spec.get("retry_after")
    if retry_after is not None:
        retry_after = int(_number(spec, "retry_after", 0, 0, MAX_RETRY_AFTER_S))
    path_prefix = spec.get("path_prefix", "/")
    if not isinstance(path_prefix, str) or not path_prefix.startswith("/"):
        raise bad_request("fault path_prefix must be a path starting with /")
    return Fault(
        status=status,
        count=int(_number(spec, "count", 1, 1, MAX_FAULT_COUNT)),
        retry_after=retry_after,
        delay_s=delay_s,
        path_prefix=path_prefix,
        kind=kind,
        skip=int(_number(spec, "skip", 0, 0, MAX_FAULT_COUNT)),
    )


class FaultQueue:
    """Faults in the order they were queued; the first that matches a path is used."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = []

    def add(self, fault: Fault) -> None:
        with self._lock:
            self._faults.append(fault)

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def pending(self) -> list[dict[str, Any]]:
        with self._lock:
            return [asdict(fault) for fault in self._faults]

    def take(self, path: str) -> Fault | None:
        """Use up one answer of the first due fault queued for `path`, if any.

        A fault still skipping counts the request as one let through, whichever fault (if
        any) answers it, so `skip` counts requests, not other faults' leftovers.
        """
        with self._lock:
            due = None
            for fault in self._faults:
                if not fault.matches(path):
                    continue
                if fault.skip:
                    fault.skip -= 1
                elif due is None:
                    due = fault
            if due is None:
                return None
            due.count -= 1
            if due.count == 0:
                self._faults.remove(due)
            return Fault(**{**asdict(due), "count": 1})


class RequestLog:
    """The most recent requests the portal answered, oldest first."""

    def __init__(self, size: int = REQUEST_LOG_SIZE) -> None:
        self._lock = threading.Lock()
        self._entries: deque[dict[str, Any]] = deque(maxlen=size)

    def record(self, entry: dict[str, Any]) -> None:
        with self._lock:
            self._entries.append(entry)

    def entries(self) -> list[dict[str, Any]]:
        with self._lock:
            return list(self._entries)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
