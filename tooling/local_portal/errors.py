"""The one exception the portal answers a client with.

Socrata answers a refused request with a 4xx status and a JSON body
`{"code": "...", "error": true, "message": "...", "data": {...}}`
(../shared/socrata/docs/docs_response-codes.md, "Error Messages"; the recorded 404s in
recorded/test_get_missing.yaml and test_get_metadata_and_attachments_missing.yaml). Raising
`PortalError` anywhere below the HTTP layer produces exactly that answer, so validation code
never needs to know about HTTP.
"""

from __future__ import annotations

from typing import Any


class PortalError(Exception):
    """A request the portal refuses, with the status, code, message and data to answer it."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        headers: dict[str, str] | None = None,
        data: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}
        self.data = data or {}

    def body(self) -> dict[str, object]:
        return {"code": self.code, "error": True, "message": self.message, "data": self.data}


def bad_request(message: str, code: str = "invalid_request") -> PortalError:
    return PortalError(400, code, message)


def not_found(message: str) -> PortalError:
    return PortalError(404, "not_found", message)


def missing_dataset(dataset_id: str, code: str = "not_found") -> PortalError:
    """Socrata's 404 for an unknown dataset id, as recorded: `/api/views` answers the code
    `not_found`, `/resource` answers `dataset.missing`; both say "Not found" with the id."""
    return PortalError(404, code, "Not found", data={"id": dataset_id})
