"""Test hooks of the portal: queued faults and a log of the requests it answered.

Fault tests tell the portal to answer the next N requests (under a path prefix) with a
status such as 429 with `Retry-After`, 500 or 503, or to answer them slowly, and then assert
through the request log what the client sent and how often. Both are thread-safe and bounded.
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import asdict, dataclass
from typing import Any

from orchestration.portal.errors import bad_request

MAX_FAULT_COUNT = 10_000
MAX_DELAY_S = 60.0
MAX_RETRY_AFTER_S = 3600
REQUEST_LOG_SIZE = 1000


@dataclass
class Fault:
    """Answer `count` more requests under `path_prefix` with `status`, after `delay_s`."""

    status: int | None
    count: int
    retry_after: int | None
    delay_s: float
    path_prefix: str


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
    unknown = set(spec) - {"status", "count", "retry_after", "delay_s", "path_prefix"}
    if unknown:
        raise bad_request(f"unknown fault settings: {', '.join(sorted(unknown))}")
    status = spec.get("status")
    if status is not None and (
        isinstance(status, bool) or not isinstance(status, int) or not 400 <= status <= 599
    ):
        raise bad_request("fault status must be an HTTP error status (400-599)")
    delay_s = float(_number(spec, "delay_s", 0.0, 0.0, MAX_DELAY_S))
    if status is None and delay_s == 0:
        raise bad_request("a fault needs a status, a delay_s, or both")
    retry_after = spec.get("retry_after")
    if retry_after is not None or status == 429:
        retry_after = int(_number(spec, "retry_after", 1, 0, MAX_RETRY_AFTER_S))
    path_prefix = spec.get("path_prefix", "/")
    if not isinstance(path_prefix, str) or not path_prefix.startswith("/"):
        raise bad_request("fault path_prefix must be a path starting with /")
    return Fault(
        status=status,
        count=int(_number(spec, "count", 1, 1, MAX_FAULT_COUNT)),
        retry_after=retry_after,
        delay_s=delay_s,
        path_prefix=path_prefix,
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
        """Use up one answer of the first fault queued for `path`, if any."""
        with self._lock:
            for fault in self._faults:
                if path.startswith(fault.path_prefix):
                    fault.count -= 1
                    if fault.count == 0:
                        self._faults.remove(fault)
                    return Fault(**{**asdict(fault), "count": 1})
        return None


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
