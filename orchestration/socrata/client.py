"""The one client class for Socrata's SODA 2.x API.

sodapy does the talking but has no retries, a 10 s timeout, `get_all()` without an order and
plain HTTP only through its `session_adapter`. This class closes those gaps in one place:
urllib3's Retry (202 "not ready", 429 with Retry-After, 5xx, timeouts, connection errors) on
the session's adapter, keyset paging on `:id` for stable bulk reads, plain HTTP only to
loopback hosts, and Socrata's upsert answers checked rather than trusted. Any other 4xx is
the request's own fault: it is not retried, and `PortalRefused` carries the portal's reason
(its error body's `message`), so an operator reads why, not "400 Client Error".

urllib3 returns once the status line and headers are in, so an answer broken later (a reset
or a close mid-body, fewer bytes than its Content-Length, a body cut mid-row) is retried
here, with its own budget of `max_retries` attempts: every call is a read or an idempotent
write (upsert or replace by row identifier, a metadata merge), so asking again is safe.
Error messages name the portal and what was asked, never a credential or an app token.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import re
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from sodapy import Socrata
from urllib3.util.retry import Retry

from orchestration.warehouse.sql import quote_literal

# 202: "not ready, retry later"; 429: throttled; 5xx: the portal's own trouble
# (../shared/socrata/docs/docs_response-codes.md). Any other 4xx is the same on every attempt.
RETRY_STATUSES = (202, 429, 500, 502, 503, 504)
MAX_PAGE_SIZE = 50_000  # rows per JSON request (SODA 2.0's cap)
CSV_PAGE_SIZE = 1_000_000  # rows per CSV request (SODA 2.1 has no cap): few requests a span
DOWNLOAD_CHUNK_BYTES = 1 << 20
SODA_2_0_PAGE_CAP = 50_000  # rows per request of any format on a SODA 2.0 endpoint
KEYS_PER_QUERY = 200  # row identifiers asked for in one `in (...)`: a URL well under 8 KiB
JSON = {"Content-Type": "application/json"}
# The Metadata API and the Dataset Management API are asked again on 429 and 5xx only where
# asking twice is harmless: a POST opens a revision, a source or an attachment, so a second
# one would open another. (Their 202 is an answer: DSMAPI's "accepted", not "not ready".)
MANAGEMENT_RETRY_METHODS = frozenset({"GET", "PUT", "PATCH", "DELETE"})
MANAGEMENT_RETRY_STATUSES = (429, 500, 502, 503, 504)
REVISIONS = "/api/publishing/v1/revision"
REVISION_POLL_S = 1.0

log = logging.getLogger(__name__)


class SocrataError(RuntimeError):
    """A portal answered with an error, or answered a write with errors."""


class PortalRefused(SocrataError):
    """A 4xx other than 429: the request itself is wrong, and asking again gets the same
    answer. Its text carries the portal's own reason (the error body's `message`)."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


def refusal_in(error: BaseException | None) -> PortalRefused | None:
    """The `PortalRefused` in an error's chain of causes (`raise ... from`), if any: a
    publish wraps it. An error merely raised while handling a refusal is not one."""
    seen: set[int] = set()
    while error is not None and id(error) not in seen:
        if isinstance(error, PortalRefused):
            return error
        seen.add(id(error))
        error = error.__cause__
    return None


def portal_reason(response: requests.Response | None) -> str:
    """What the portal said was wrong: Socrata's error body `{code, error, message}` gives
    `message`; otherwise the status line's reason."""
    if response is None:
        return "no answer"
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict) and body.get("message"):
        return str(body["message"])[:500]
    return response.reason or f"status {response.status_code}"


def _not_ready_after_retries(response: requests.Response, *args: Any, **kwargs: Any) -> None:
    """A 202 still answered once urllib3's retries are spent is not an answer: raise it."""
    if response.status_code == 202:
        raise requests.HTTPError(
            "202 Accepted: the portal is still preparing the answer", response=response
        )


class RowErrors(SocrataError):
    """A write the portal applied except for some rows, which it counted as `"Errors"`.

    Socrata applies the rest of the payload; the caller decides whether those errors are
    harmless (a resent delete of a row already gone) from `answer`, the portal's counts.
    """

    def __init__(self, message: str, answer: dict[str, int]) -> None:
        super().__init__(message)
        self.answer = answer


class CutOffAnswer(requests.RequestException):
    """An answer whose body ended before it was whole (a CSV cut mid-row)."""


# Broken after urllib3 handed the answer over: worth asking again.
CUT_OFF_ERRORS = (
    requests.exceptions.ChunkedEncodingError,
    requests.exceptions.ContentDecodingError,
    requests.exceptions.JSONDecodeError,
    CutOffAnswer,
)
_USERINFO_RE = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/@\s]+@")
_TOKEN_RE = re.compile(
    r"(?i)((?:\$\$app_token|X-App-Token|Authorization)[\"']?\s*[=:]\s*[\"']?)[^&\s\"',)]+"
)


def redacted(text: str) -> str:
    """`text` without URL credentials, app tokens or Authorization values."""
    return _TOKEN_RE.sub(r"\1<redacted>", _USERINFO_RE.sub(r"\1<redacted>@", text))


def page_cap(view: dict[str, Any]) -> int | None:
    """The most rows one request may ask of the dataset `view` describes, None for no cap.

    A dataset not on Socrata's new backend (`"newBackend": false`) is served by a SODA 2.0
    endpoint, whose `$limit` is at most 50,000 in every format; 2.1 endpoints take any
    `$limit` (../shared/socrata/docs/docs_paging.md). A view that does not say is taken as
    2.0: a cap that was not needed costs requests, a missing one a refused read.
    """
    return None if view.get("newBackend") is True else SODA_2_0_PAGE_CAP


def split_domain(domain: str) -> tuple[str, str]:
    """Return (scheme, host[:port]) for a configured domain.

    Loopback hosts are spoken to over plain HTTP (the local portal); every other host over
    HTTPS only, so credentials never cross a network in clear text.
    """
    value = domain.strip().rstrip("/")
    scheme = None
    for prefix in ("http://", "https://"):
        if value.startswith(prefix):
            scheme, value = prefix[:-3], value[len(prefix) :]
    if "@" in value:
        # user:password@host would travel into lineage links and error messages.
        raise ValueError(
            "Socrata domain must be a host[:port] without credentials; "
            "set the username and password separately"
        )
    if not value or "/" in value:
        raise ValueError(f"Socrata domain must be a host[:port], got {domain!r}")
    loopback = is_loopback_host(value)
    if scheme == "http" and not loopback:
        raise ValueError(f"plain HTTP is allowed only to loopback hosts, not {value!r}")
    return ("http" if loopback else "https"), value


def is_loopback_host(host_port: str) -> bool:
    host = host_port
    if host.startswith("["):
        host = host[1 : host.index("]")]
    elif host.count(":") == 1:
        host = host.split(":", 1)[0]
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def retrying_adapter(max_retries: int, backoff_s: float) -> HTTPAdapter:
    """An adapter that retries transient failures with exponential backoff.

    POST and PUT are retried too: every write this platform makes is an upsert or replace
    keyed by a row identifier, so sending it twice leaves the same rows.
    """
    return _backing_off_adapter(max_retries, backoff_s, RETRY_STATUSES, methods=None)


def management_adapter(max_retries: int, backoff_s: float) -> HTTPAdapter:
    """The adapter of Metadata API and Dataset Management API calls (see the constants)."""
    return _backing_off_adapter(
        max_retries, backoff_s, MANAGEMENT_RETRY_STATUSES, methods=MANAGEMENT_RETRY_METHODS
    )


def _backing_off_adapter(
    max_retries: int,
    backoff_s: float,
    statuses: Iterable[int],
    *,
    methods: Iterable[str] | None,
) -> HTTPAdapter:
    """urllib3's retries of `statuses` and failed connections for `methods` (None: every
    method), backing off exponentially and waiting a `Retry-After` when one is given."""
    retry = Retry(
        total=max_retries,
        connect=max_retries,
        read=max_retries,
        status=max_retries,
        backoff_factor=backoff_s,
        status_forcelist=statuses,
        allowed_methods=methods,
        respect_retry_after_header=True,
        raise_on_status=False,
    )
    return HTTPAdapter(max_retries=retry)


class SocrataClient:
    """Reads and writes one Socrata domain."""

    def __init__(
        self,
        domain: str,
        *,
        app_token: str | None = None,
        username: str | None = None,
        password: str | None = None,
        timeout_s: float = 30.0,
        write_timeout_s: float = 120.0,
        bulk_read_timeout_s: float = 300.0,
        max_retries: int = 5,
        backoff_s: float = 0.5,
    ) -> None:
        scheme, host = split_domain(domain)
        self.domain = host
        self.base_url = f"{scheme}://{host}"
        self.timeout_s = timeout_s
        self.write_timeout_s = write_timeout_s
        self.bulk_read_timeout_s = bulk_read_timeout_s
        self.max_retries = max_retries
        self.backoff_s = backoff_s
        self._socrata = Socrata(
            host,
            app_token or None,
            username=username or None,
            password=password or None,
            session_adapter={
                "prefix": f"{scheme}://",
                "adapter": retrying_adapter(max_retries, backoff_s),
            },
            timeout=timeout_s,
        )
        self._socrata.session.hooks["response"].append(_not_ready_after_retries)
        self._management = requests.Session()
        self._management.headers.update(self._socrata.session.headers)
        self._management.auth = self._socrata.session.auth
        self._management.mount(f"{scheme}://", management_adapter(max_retries, backoff_s))

    def close(self) -> None:
        self._socrata.close()
        self._management.close()

    def __enter__(self) -> SocrataClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _call(self, what: str, function, *args: Any, resend: bool = True, **kwargs: Any) -> Any:
        """`function(...)`, asked again when its answer was cut off, within the budget
        (unless `resend` is False: a call that must not happen twice)."""
        for attempt in range(self.max_retries + 1):
            try:
                return function(*args, **kwargs)
            except requests.HTTPError as error:
                response = error.response
                status = response.status_code if response is not None else None
                message = redacted(
                    f"{what} failed with {status or '?'} on {self.domain}: "
                    f"{portal_reason(response)}"
                )
                if status is not None and 400 <= status < 500 and status != 429:
                    raise PortalRefused(message, status) from error
                raise SocrataError(message) from error
            except CUT_OFF_ERRORS as error:
                if attempt == self.max_retries or not resend:
                    raise self._error(
                        f"{what} failed: the answer was cut off {attempt + 1} times", error
                    ) from error
                log.warning("%s: the answer was cut off (%s); asking again", what, error)
                time.sleep(self.backoff_s * 2**attempt)
            except requests.RequestException as error:
                raise self._error(f"{what} failed after the retries", error) from error
        raise AssertionError("unreachable")

    def _error(self, what: str, error: BaseException) -> SocrataError:
        return SocrataError(redacted(f"{what} on {self.domain}: {error}"))

    # Reading -----------------------------------------------------------------------------

    def get_view(self, dataset_id: str) -> dict[str, Any] | None:
        """The dataset's metadata, or None when the portal has no such dataset."""
        try:
            return self._call(
                f"reading metadata of {dataset_id}", self._socrata.get_metadata, dataset_id
            )
        except SocrataError as error:
            cause = error.__cause__
            response = cause.response if isinstance(cause, requests.HTTPError) else None
            if response is not None and response.status_code == 404:
                return None
            raise

    def get(self, dataset_id: str, **soql: Any) -> list[dict[str, Any]]:
        """One SoQL query (`select`, `where`, `order`, `limit`, ...)."""
        return self._call(f"query of {dataset_id}", self._socrata.get, dataset_id, **soql)

    def count(self, dataset_id: str, where: str | None = None) -> int:
        rows = self.get(dataset_id, select="count(*) as row_count", where=where)
        return int(rows[0]["row_count"]) if rows else 0

    def iter_pages(
        self,
        dataset_id: str,
        *,
        where: str | None = None,
        select: str = ":*, *",
        page_size: int = MAX_PAGE_SIZE,
    ) -> Iterator[list[dict[str, Any]]]:
        """All matching rows, page by page, in `:id` order.

        Paging by `:id > last` rather than by offset keeps every page stable while the
        dataset changes and costs the portal the same for the last page as for the first.
        """
        if not 0 < page_size <= MAX_PAGE_SIZE:
            raise ValueError(f"page_size must be in 1..{MAX_PAGE_SIZE}, got {page_size}")
        last_id: str | None = None
        while True:
            clauses = [f"({where})"] if where else []
            if last_id is not None:
                clauses.append(f":id > {quote_literal(last_id)}")
            page = self.get(
                dataset_id,
                select=select,
                where=" and ".join(clauses) or None,
                order=":id",
                limit=page_size,
            )
            if page:
                yield page
            if len(page) < page_size:
                return
            last_id = page[-1][":id"]

    def download_csv(self, dataset_id: str, target: Path, **soql: Any) -> int:
        """One SoQL query's answer as CSV, streamed to `target`; the bytes written.

        The body goes to disk in 1 MiB pieces, so a page of a million rows costs no memory.
        urllib3 retries refusals and failed connections; an answer cut off mid-body (a reset
        connection, fewer bytes than its Content-Length, a stall, a body that ends mid-row
        with a Content-Length to match) is fetched again, as every cut-off answer is.
        """
        url = f"{self.base_url}/resource/{dataset_id}.csv"
        params = {f"${name}": value for name, value in soql.items() if value is not None}
        session = self._socrata.session

        def download() -> int:
            with session.get(
                url, params=params, stream=True, timeout=self.bulk_read_timeout_s
            ) as answer:
                if not answer.ok:
                    answer.content  # noqa: B018 - the error body, read for its reason
                answer.raise_for_status()
                written = quotes = 0
                last = b""
                with target.open("wb") as output:
                    try:
                        for chunk in answer.iter_content(DOWNLOAD_CHUNK_BYTES):
                            output.write(chunk)
                            written += len(chunk)
                            quotes += chunk.count(b'"')
                            last = chunk[-1:] or last
                    except requests.ConnectionError as error:  # a read timeout mid-body
                        raise CutOffAnswer(f"the CSV body stalled: {error}") from error
            # A whole CSV body ends a row outside quotes: a newline, with balanced quotes.
            if last != b"\n" or quotes % 2:
                raise CutOffAnswer(f"the CSV body ended mid-row after {written:,} bytes")
            return written

        return self._call(f"CSV query of {dataset_id}", download)

    def datasets(self) -> list[dict[str, Any]]:
        return self._call("catalog listing", self._socrata.datasets)

    # Writing -----------------------------------------------------------------------------

    def upsert(self, dataset_id: str, rows: Iterable[dict[str, Any]]) -> dict[str, int]:
        """Upsert rows (and `":deleted": true` rows) by the dataset's row identifier."""
        return self.upsert_json_text(dataset_id, json.dumps(list(rows)).encode())

    def replace(self, dataset_id: str, rows: Iterable[dict[str, Any]]) -> dict[str, int]:
        return self.replace_json_text(dataset_id, json.dumps(list(rows)).encode())

    def upsert_json_text(self, dataset_id: str, body: bytes) -> dict[str, int]:
        """`upsert` of a body already rendered as a JSON array (the publisher's chunks).

        A publisher renders its chunks in the warehouse; handing sodapy a list would mean
        parsing them into dicts only for sodapy to dump them again. The body goes out on
        sodapy's session (its credentials, app token and retrying adapter), with the
        `Content-Type` sodapy leaves out and the write timeout: Socrata may take more than a
        read's timeout to apply 10,000 rows, and a write timed out is sent again.
        """
        return self._write_json_text("POST", f"upsert into {dataset_id}", dataset_id, body)

    def replace_json_text(self, dataset_id: str, body: bytes) -> dict[str, int]:
        """`replace` of a body already rendered as a JSON array."""
        return self._write_json_text("PUT", f"replace of {dataset_id}", dataset_id, body)

    def _write_json_text(self, method: str, what: str, dataset_id: str, body: bytes) -> dict:
        url = f"{self.base_url}/resource/{dataset_id}.json"
        session = self._socrata.session

        def write() -> Any:
            return _raised(
                session.request(method, url, data=body, headers=JSON, timeout=self.write_timeout_s)
            )

        return self._checked(dataset_id, self._call(what, write))

    # Metadata API v1 and the Dataset Management API ----------------------------------------

    def _manage(
        self,
        method: str,
        path: str,
        what: str,
        *,
        body: Any = None,
        data: bytes | None = None,
        headers: dict[str, str] | None = None,
        params: dict[str, str] | None = None,
    ) -> Any:
        """One Metadata API or Dataset Management API call; its JSON answer."""
        url = f"{self.base_url}{path}"

        def ask() -> Any:
            response = self._management.request(
                method,
                url,
                data=json.dumps(body).encode() if body is not None else data,
                headers=headers or JSON,
                params=params,
                timeout=self.timeout_s,
            )
            response.raise_for_status()
            return response.json() if response.content else {}

        return self._call(what, ask, resend=method != "POST")

    @property
    def has_credentials(self) -> bool:
        return self._management.auth is not None

    def current_user(self) -> dict[str, Any]:
        """Who the credentials authenticate as (`/api/users/current.json`); a refusal
        (`PortalRefused`, 401 or 403) when they do not."""
        return self._manage("GET", "/api/users/current.json", "asking who the credentials are")

    def get_metadata(self, dataset_id: str) -> dict[str, Any] | None:
        """The dataset's asset metadata (Metadata API v1), or None when there is no such
        dataset."""
        try:
            return self._manage(
                "GET", f"/api/views/metadata/v1/{dataset_id}", f"reading metadata of {dataset_id}"
            )
        except PortalRefused as error:
            if error.status == 404:
                return None
            raise

    def patch_metadata(
        self, dataset_id: str, fields: dict[str, Any], *, validate_only: bool = False
    ) -> dict[str, Any]:
        """Merge `fields` into the dataset's metadata (Metadata API v1 `PATCH`).

        Only the fields sent change, custom fields per fieldset and field: unlike a view PUT,
        which replaces every top-level key it is sent, this leaves what the city's staff set
        alone. `validate_only` changes nothing and answers what would change, with errors
        and warnings.
        """
        return self._manage(
            "PATCH",
            f"/api/views/metadata/v1/{dataset_id}",
            f"metadata {'check' if validate_only else 'update'} of {dataset_id}",
            body=fields,
            params={"validateOnly": "true"} if validate_only else None,
        )

    def open_revision(
        self,
        dataset_id: str | None,
        *,
        metadata: dict[str, Any] | None = None,
        action: str = "update",
    ) -> dict[str, Any]:
        """A new revision of `dataset_id`, or of a new dataset when it is None."""
        body: dict[str, Any] = {"action": {"type": action}}
        if dataset_id is None:
            body["action"]["permission"] = "public"
        if metadata is not None:
            body["metadata"] = metadata
        path = REVISIONS if dataset_id is None else f"{REVISIONS}/{dataset_id}"
        what = f"opening a revision of {dataset_id or 'a new dataset'}"
        return self._manage("POST", path, what, body=body)["resource"]

    def revision(self, dataset_id: str, seq: int) -> dict[str, Any]:
        return self._manage(
            "GET", f"{REVISIONS}/{dataset_id}/{seq}", f"reading revision {seq} of {dataset_id}"
        )["resource"]

    def update_revision(self, dataset_id: str, seq: int, changes: dict[str, Any]) -> dict:
        """Set what a revision will apply: `metadata`, `attachments`, `output_schema_id`."""
        return self._manage(
            "PUT",
            f"{REVISIONS}/{dataset_id}/{seq}",
            f"updating revision {seq} of {dataset_id}",
            body=changes,
        )["resource"]

    def discard_revision(self, dataset_id: str, seq: int) -> None:
        """Close a revision without applying it (best effort: it is cleanup)."""
        try:
            self._manage("DELETE", f"{REVISIONS}/{dataset_id}/{seq}", f"discarding revision {seq}")
        except SocrataError as error:
            log.warning("revision %s of %s left open: %s", seq, dataset_id, error)

    def add_revision_attachment(
        self, dataset_id: str, seq: int, filename: str, content: bytes, content_type: str
    ) -> dict[str, Any]:
        """Upload a file to a revision; {"file_id", "filename"} to list in its attachments."""
        return self._manage(
            "POST",
            f"{REVISIONS}/{dataset_id}/{seq}/attachment",
            f"upload of {filename} to {dataset_id}",
            data=content,
            headers={"Content-Type": content_type, "X-File-Name": filename},
        )

    def add_upload_source(self, dataset_id: str, seq: int, filename: str) -> dict[str, Any]:
        return self._manage(
            "POST",
            f"{REVISIONS}/{dataset_id}/{seq}/source",
            f"creating a source in revision {seq} of {dataset_id}",
            body={"source_type": {"type": "upload", "filename": filename}},
        )["resource"]

    def upload_source_csv(self, source_id: int, content: bytes) -> dict[str, Any]:
        """Put a CSV's bytes into an upload source; the source with its parsed schemas."""
        return self._manage(
            "POST",
            f"/api/publishing/v1/source/{source_id}",
            f"upload to source {source_id}",
            data=content,
            headers={"Content-Type": "text/csv"},
        )["resource"]

    def add_output_schema(
        self, source_id: int, input_schema_id: int, output_columns: list[dict[str, Any]]
    ) -> dict[str, Any]:
        return self._manage(
            "POST",
            f"/api/publishing/v1/source/{source_id}/schema/{input_schema_id}",
            f"schema of source {source_id}",
            body={"output_columns": output_columns},
        )["resource"]

    def apply_revision(
        self, dataset_id: str, seq: int, output_schema_id: int | None = None, timeout_s: float = 600
    ) -> dict[str, Any]:
        """Apply a revision and wait until Socrata has finished; the closed revision."""
        body = {} if output_schema_id is None else {"output_schema_id": output_schema_id}
        self._manage(
            "PUT",
            f"{REVISIONS}/{dataset_id}/{seq}/apply",
            f"applying revision {seq} of {dataset_id}",
            body=body,
        )
        deadline = time.monotonic() + timeout_s
        while True:
            revision = self.revision(dataset_id, seq)
            tasks = revision.get("task_sets") or []
            status = tasks[-1].get("status") if tasks else None
            if status == "failure":
                raise SocrataError(
                    f"revision {seq} of {dataset_id} failed to apply: {tasks[-1].get('log')}"
                )
            if revision.get("closed_at") and status == "successful":
                return revision
            if time.monotonic() > deadline:
                raise SocrataError(
                    f"revision {seq} of {dataset_id} was still applying after {timeout_s:.0f} s "
                    f"(status {status})"
                )
            time.sleep(REVISION_POLL_S)

    def attachment_url(self, dataset_id: str, asset_id: str) -> str:
        """Where readers download an attachment.

        Absolute on a real portal; a path on a loopback one, whose port changes from run to
        run (the local portal serves the same path on whatever port it is started on).
        """
        path = f"/api/views/{dataset_id}/files/{asset_id}"
        return path if is_loopback_host(self.domain) else f"{self.base_url}{path}"

    def present_keys(self, dataset_id: str, field: str, keys: Iterable[str]) -> set[str]:
        """Which of `keys` some row of the dataset holds in `field` (a row identifier)."""
        wanted = sorted(set(keys))
        present: set[str] = set()
        for start in range(0, len(wanted), KEYS_PER_QUERY):
            batch = wanted[start : start + KEYS_PER_QUERY]
            listed = ", ".join(quote_literal(key) for key in batch)
            rows = self.get(
                dataset_id, select=field, where=f"{field} in ({listed})", limit=len(batch)
            )
            present |= {str(row[field]) for row in rows if row.get(field) is not None}
        return present

    @staticmethod
    def _checked(dataset_id: str, answer: Any) -> dict[str, int]:
        if not isinstance(answer, dict):
            raise SocrataError(f"unexpected answer to a write to {dataset_id}: {answer!r}")
        counts = {key: int(value) for key, value in answer.items() if isinstance(value, int)}
        errors = counts.get("Errors", 0)
        if errors:
            raise RowErrors(f"the portal rejected {errors} rows written to {dataset_id}", counts)
        return counts


def _raised(answer: requests.Response) -> Any:
    answer.raise_for_status()
    return answer.json()
