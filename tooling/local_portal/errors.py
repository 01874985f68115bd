"""The one exception the portal answers a client with.

Socrata answers a refused request with a 4xx status and a JSON body
`{"error": true, "code": "...", "message": "..."}`; raising `PortalError` anywhere below the
HTTP layer produces exactly that answer, so validation code never needs to know about HTTP.
"""

from __future__ import annotations


class PortalError(Exception):
    """A request the portal refuses, with the status, code and message to answer it with."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}

    def body(self) -> dict[str, object]:
        return {"error": True, "code": self.code, "message": self.message}


def bad_request(message: str, code: str = "invalid_request") -> PortalError:
    return PortalError(400, code, message)


def not_found(message: str) -> PortalError:
    return PortalError(404, "not_found", message)
