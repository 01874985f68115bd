"""The portal's HTTP face: the Socrata endpoints sodapy, socrata-py and the pipeline use.

Socrata endpoints (answers are JSON unless noted; ../shared/socrata has the documents):
  GET    /resource/<id>.json | .csv   `$select $where $order $group $limit $offset`, and
                                      simple filters `?field=value`; CSV as text/csv
  POST   /resource/<id>.json          upsert: a JSON array (any or no Content-Type, as sodapy
                                      sends it) or a CSV body with Content-Type text/csv; a
                                      field without a column refuses it whole (400)
  PUT    /resource/<id>.json          replace every row
  DELETE /resource/<id>/<row>.json    delete one row, by row identifier or :id
  GET    /api/views/<id>.json         the view; the row identifier as a column id
  PUT    /api/views/<id>.json         replace the top-level keys sent (view_put.py); never
                                      creates (unknown id: 404), never changes columns
  DELETE /api/views/<id>.json         delete the dataset
  POST   /api/views/<id>/publication.json   publish: a no-op, every dataset here is published
  GET    /api/views/<id>/files/<asset>      an attachment the view lists, as uploaded
  GET    /api/views/metadata/v1/<id>  Metadata API v1 (metadata_api.py)
  PATCH  /api/views/metadata/v1/<id>  merge the fields sent; `?validateOnly=true`, `strict`
  GET    /api/catalog/v1              the catalog, paged as sodapy's datasets() reads it
  Dataset Management API (dsmapi.py), under /api/publishing/v1:
  POST   /revision                    a revision creating a new dataset (201)
  POST   /revision/<id>               a revision of a published dataset (201)
  GET|PUT|PATCH|DELETE /revision/<id>/<seq>   show; update (202); discard (201)
  PUT    /revision/<id>/<seq>/apply   apply it (200, a task set)
  POST   /revision/<id>/<seq>/attachment    upload a file (X-File-Name) (201)
  POST   /revision/<id>/<seq>/source  an upload source (201)
  GET|POST /source/<source>           show; upload its CSV bytes (201)
  POST   /source/<source>/schema/<input schema>   a new output schema (201)

Local extensions, for tests and operators, exempt from auth, faults and the request log:
  GET /_portal/health; GET|DELETE /_portal/requests (the recent requests: method, path, query,
  body row count, the row identifiers a write upserted and deleted, status);
  GET|POST|DELETE /_portal/faults (queue 202/429/5xx, slow or broken answers: control.py);
  POST /_portal/reload (import changed CSV files without a restart);
  PUT /_portal/views/<id> (a published, empty dataset with the view sent, as GET
  /api/views/<id>.json renders one: "the city's staff created this dataset earlier").

Refusals carry Socrata's body `{"code": ..., "error": true, "message": ..., "data": {...}}`
(an unknown dataset: the recorded 404 bodies, `not_found` for views and `dataset.missing` for
rows): 400 for a malformed query or body, 401/403 for auth, 404 for unknown datasets and
paths, 405 for a wrong method; 5xx only for genuine faults of the portal (and injected ones).

`$limit` defaults to 1000 as on Socrata. JSON answers are capped at 50000 rows as on SODA
2.0 endpoints, and more is refused with 400 rather than clamped, because a client that treats
a short page as the last would stop silently after a clamped page. CSV answers have no cap,
as on SODA 2.1 endpoints, except for a dataset whose view says `"newBackend": false` (a SODA
2.0 dataset), where the 50000 cap holds for every format. So a bulk reader takes a large
span in few requests, CSV answers are written by DuckDB and Arrow to a temporary file and
streamed from it with a Content-Length: the portal's memory holds a batch, never the answer,
and a cut-off answer is detectable.

With credentials configured, writes need HTTP Basic auth with them and wrong
credentials are refused on any request; reads without credentials stay open. With an app
token configured, a request sending a different token (`X-App-Token` or `$$app_token`) gets
403, and one sending none is served (Socrata throttles those rather than refusing them).

The server speaks plain HTTP, so it refuses to listen anywhere but loopback.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import csv
import hashlib
import hmac
import io
import ipaddress
import json
import logging
import os
import re
import shutil
import socket
import struct
import tempfile
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from tooling.local_portal.assets import AssetStore, attachment_ids
from tooling.local_portal.control import Fault, FaultQueue, RequestLog, parse_fault
from tooling.local_portal.dsmapi import Publishing, answer
from tooling.local_portal.errors import PortalError, bad_request, missing_dataset, not_found
from tooling.local_portal.metadata_api import patch_view, render_metadata
from tooling.local_portal.soql import MAX_OFFSET, SoqlError, SoqlQuery
from tooling.local_portal.store import Dataset, PortalStore
from tooling.local_portal.view_put import put_view

log = logging.getLogger(__name__)

DEFAULT_LIMIT = 1000
MAX_LIMIT = 50_000
CATALOG_DEFAULT_LIMIT = 100
CATALOG_MAX_LIMIT = 10_000
MAX_BODY_BYTES = 256 * 2**20
STREAM_CHUNK_BYTES = 1 << 20
JSON_TYPE = "application/json; charset=utf-8"
CSV_TYPE = "text/csv; charset=utf-8"

_SOQL_PARAMS = ("$select", "$where", "$order", "$group", "$limit", "$offset")
_SERVICE_PARAMS = ("$$app_token", "$$exclude_system_fields")
_CATALOG_ORDERS: dict[str, Callable[[Dataset], Any]] = {
    "name": lambda dataset: str(dataset.view.get("name") or "").lower(),
    "createdat": lambda dataset: dataset.created_at,
    "updatedat": lambda dataset: max(dataset.rows_updated_at, dataset.view_last_modified),
}
_DATASET = r"(?P<id>[^/.]+)"
_RESOURCE_RE = re.compile(rf"/resource/{_DATASET}(?:\.(?P<format>[^/.]+))?")
_ROW_RE = re.compile(rf"/resource/{_DATASET}/(?P<row>[^/]+?)(?:\.json)?")
_VIEW_RE = re.compile(rf"/api/views/{_DATASET}(?:\.json)?")
_PUBLICATION_RE = re.compile(rf"/api/views/{_DATASET}/publication(?:\.json)?")
_DIGITS_RE = re.compile(r"[0-9]{1,19}")
_FILE_RE = re.compile(rf"/api/views/{_DATASET}/files/(?P<asset>[^/]+)")
_METADATA_RE = re.compile(r"/api/views/metadata/v1/(?P<id>[^/]+)")
_REVISIONS = "/api/publishing/v1/revision"
_REVISION_RE = rf"{_REVISIONS}/{_DATASET}/(?P<seq>[^/]+)"
_SOURCE_RE = r"/api/publishing/v1/source/(?P<source>[^/]+)"
_SEED_RE = re.compile(r"/_portal/views/(?P<id>[^/]+)")
_FILENAME_TOKEN_RE = re.compile(r"[A-Za-z0-9._-]+")


@dataclass
class _Answer:
    status: int
    body: bytes
    content_type: str = JSON_TYPE
    headers: dict[str, str] = field(default_factory=dict)
    # A large answer is a file streamed after the headers (and removed), not `body`.
    body_file: Path | None = None


class _DropConnection(Exception):
    """An injected `reset` fault: the request is dropped without an answer."""


@dataclass(frozen=True)
class _Request:
    """What a route's handler is given: the matched path, the query parameters, the body."""

    path: re.Match[str]
    params: list[tuple[str, str]]
    body: bytes


@dataclass(frozen=True)
class _Route:
    """A path pattern and, per method it allows, the `_Handler` method that answers it."""

    pattern: re.Pattern[str]
    handlers: dict[str, Callable[[_Handler, _Request], _Answer]]

    def handler(self, method: str) -> Callable[[_Handler, _Request], _Answer]:
        """The handler of `method`, or a 405 naming the methods allowed here."""
        if method not in self.handlers:
            allowed = list(self.handlers)
            raise PortalError(
                405,
                "method_not_allowed",
                f"{method} is not allowed here; use {' or '.join(allowed)}",
                {"Allow": ", ".join(allowed)},
            )
        return self.handlers[method]


def _find_route(routes: tuple[_Route, ...], path: str) -> tuple[_Route, re.Match[str]]:
    """The first route whose pattern matches all of `path`, or a 404."""
    for route in routes:
        if match := route.pattern.fullmatch(path):
            return route, match
    raise not_found(f"no such endpoint: {path}")


def _json_answer(payload: Any, status: int = 200, headers: dict[str, str] | None = None) -> _Answer:
    return _Answer(status, json.dumps(payload).encode("utf-8"), headers=headers or {})


def _field_headers(fields: tuple[str, ...], types: tuple[str, ...]) -> dict[str, str]:
    """Socrata's headers naming an answer's fields and their types."""
    return {"X-SODA2-Fields": json.dumps(list(fields)), "X-SODA2-Types": json.dumps(list(types))}


def _cut_mid_row(body: bytes) -> bytes:
    """`body` cut half-way through its last row (the last line before the final newline)."""
    end = len(body) - 1 if body.endswith(b"\n") else len(body)
    start = body.rfind(b"\n", 0, end) + 1
    return body[: start + max(1, (end - start) // 2)]


def _whole_number(value: str, name: str, maximum: int) -> int:
    if not _DIGITS_RE.fullmatch(value.strip()) or int(value) > maximum:
        raise bad_request(
            f"{name} must be a whole number from 0 to {maximum}", "query.soql.invalid"
        )
    return int(value)


def soql_query(params: list[tuple[str, str]], *, max_limit: int | None = MAX_LIMIT) -> SoqlQuery:
    """The SoQL query of a resource request's parameters; `max_limit` None for no cap."""
    soql, filters = _split_soql_params(params)
    return SoqlQuery(
        select=soql.get("$select"),
        where=soql.get("$where"),
        order=soql.get("$order"),
        group=soql.get("$group"),
        limit=_limit(soql, max_limit),
        offset=_offset(soql),
        filters=tuple(filters),
        include_system_fields=soql.get("$$exclude_system_fields", "").strip().lower() == "false",
    )


def _split_soql_params(
    params: list[tuple[str, str]],
) -> tuple[dict[str, str], list[tuple[str, str]]]:
    """The `$` parameters by name, each given once and supported, and the simple filters."""
    soql: dict[str, str] = {}
    filters = []
    for name, value in params:
        if not name.startswith("$"):
            filters.append((name, value))
        elif name in soql:
            raise bad_request(f"{name} is given more than once", "query.soql.invalid")
        else:
            soql[name] = value
    unsupported = sorted(set(soql) - set(_SOQL_PARAMS) - set(_SERVICE_PARAMS))
    if unsupported:
        raise bad_request(
            f"the local portal does not support {', '.join(unsupported)}", "query.soql.unsupported"
        )
    return soql, filters


def _limit(soql: dict[str, str], max_limit: int | None) -> int:
    """`$limit`, by default 1000; above `max_limit` it is refused rather than clamped."""
    if "$limit" not in soql:
        return DEFAULT_LIMIT
    limit = _whole_number(soql["$limit"], "$limit", MAX_OFFSET)
    if max_limit is not None and limit > max_limit:
        raise bad_request(
            f"$limit must be at most {max_limit}; page with $offset", "query.soql.limit-too-high"
        )
    return limit


def _offset(soql: dict[str, str]) -> int:
    return _whole_number(soql["$offset"], "$offset", MAX_OFFSET) if "$offset" in soql else 0


def _catalog_search(datasets: list[Dataset], values: dict[str, list[str]]) -> list[Dataset]:
    """The datasets a catalog request finds by `ids`, `only` and `q`, ordered by `order`."""
    if "ids" in values:
        datasets = [dataset for dataset in datasets if dataset.id in values["ids"]]
    if "only" in values and not {"dataset", "datasets"} & {v.lower() for v in values["only"]}:
        datasets = []
    if "q" in values:
        text = values["q"][-1].lower()
        datasets = [
            dataset
            for dataset in datasets
            if text
            in f"{dataset.view.get('name') or ''} {dataset.view.get('description') or ''}".lower()
        ]
    if "order" in values:
        datasets = _catalog_sorted(datasets, values["order"][-1])
    return datasets


def _catalog_sorted(datasets: list[Dataset], order: str) -> list[Dataset]:
    """`datasets` in a catalog `order` such as `name` or `updatedAt DESC`."""
    name, _, direction = order.strip().partition(" ")
    key = _CATALOG_ORDERS.get(name.lower())
    if key is None or direction.strip().upper() not in ("", "ASC", "DESC"):
        raise bad_request(f"cannot order the catalog by {order!r}")
    return sorted(datasets, key=key, reverse=direction.strip().upper() == "DESC")


def _basic_auth(header: str) -> tuple[str, str, str]:
    """The scheme, username and password of an `Authorization` header (empty if unreadable)."""
    scheme, _, encoded = header.partition(" ")
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        decoded = ""
    username, _, password = decoded.partition(":")
    return scheme, username, password


def _same_secret(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode(), expected.encode())


def _flag(value: str | None, name: str) -> bool:
    """A boolean query parameter such as `validateOnly=true`; absent is false."""
    if value is None or value.strip().lower() in ("", "false", "0"):
        return False
    if value.strip().lower() in ("true", "1"):
        return True
    raise bad_request(f"{name} must be true or false")


def _content_disposition(filename: str) -> str:
    """`attachment; filename=...`, as the recorded attachment download answers."""
    filename = re.sub(r"[\r\n\"\\]", "_", filename)
    if _FILENAME_TOKEN_RE.fullmatch(filename):
        return f"attachment; filename={filename}"
    return f'attachment; filename="{filename}"'


def _csv_rows(body: bytes) -> list[dict[str, str | None]]:
    """An upsert body in CSV: a header of field names, then rows; empty cells are null."""
    try:
        reader = csv.DictReader(io.StringIO(body.decode("utf-8-sig"), newline=""))
        rows = []
        for row in reader:
            if None in row:
                raise bad_request(f"CSV line {reader.line_num} has more values than the header")
            rows.append(row)
    except (UnicodeDecodeError, csv.Error) as error:
        raise bad_request(f"the body is not readable CSV: {error}") from None
    return rows


def loopback_address(host: str) -> tuple[str, socket.AddressFamily]:
    """The address to bind for `host`, which must resolve to loopback addresses only."""
    try:
        infos = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise ValueError(f"cannot resolve {host!r}: {error}") from None
    addresses = [(info[0], str(info[4][0])) for info in infos]
    if not addresses or not all(
        ipaddress.ip_address(address.split("%")[0]).is_loopback for _, address in addresses
    ):
        raise ValueError(
            f"the local portal speaks plain HTTP and listens on loopback only; {host!r} is not "
            "a loopback address (use 127.0.0.1, ::1 or localhost)"
        )
    family, address = min(addresses, key=lambda item: item[0] != socket.AF_INET)
    return address, family


class _Portal:
    """What every request handler shares: the store, the settings and the test hooks."""

    def __init__(
        self, store: PortalStore, credentials: tuple[str, str] | None, app_token: str | None
    ) -> None:
        self.store = store
        self.credentials = credentials
        self.app_token = app_token
        self.assets = AssetStore(store.data_dir)
        self.publishing = Publishing(store, self.assets)
        self.faults = FaultQueue()
        self.requests = RequestLog()
        self.stopping = threading.Event()


class _Server(ThreadingHTTPServer):
    """A threading server that can close idle keep-alive connections and join its threads."""

    daemon_threads = False  # server_close() joins the handler threads: nothing leaks

    def __init__(
        self, address: tuple[str, int], family: socket.AddressFamily, portal: _Portal
    ) -> None:
        self.address_family = family
        self.portal = portal
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        super().__init__(address, _Handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._connections_lock:
            self._connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._connections_lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        """Wake handler threads waiting on idle keep-alive connections, so they end."""
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "local-portal"
    sys_version = ""
    timeout = 60  # seconds an idle keep-alive connection is kept
    server: _Server

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def do_PUT(self) -> None:
        self._handle("PUT")

    def do_DELETE(self) -> None:
        self._handle("DELETE")

    def do_PATCH(self) -> None:
        self._handle("PATCH")

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """http.server's own refusals (bad request line, unknown method), in Socrata's shape."""
        status = HTTPStatus(code)
        body = PortalError(code, f"http_{code}", message or status.phrase).body()
        self.close_connection = True
        self._send(_json_answer(body, code, {"Connection": "close"}), head=self.command == "HEAD")

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s " + format, self.address_string(), *args)

    # One request --------------------------------------------------------------------------

    def _handle(self, method: str) -> None:
        split = urlsplit(self.path)
        path = unquote(split.path)
        params = parse_qsl(split.query, keep_blank_values=True)
        self._body_rows: int | None = None
        self._body_keys: dict[str, list[str]] | None = None
        self._fault: Fault | None = None
        try:
            answer = self._answer_or_refusal(method, path, params)
        except _DropConnection:
            self._reset_connection()
            self._log_request(method, path, params, None)
            return
        # Logged before answering, so a client that got its answer finds it in the log.
        self._log_request(method, path, params, answer.status)
        if self._fault is not None and self._fault.kind is not None:
            self._send_broken(answer, self._fault.kind)
        else:
            self._send(answer)

    def _answer_or_refusal(self, method: str, path: str, params: list[tuple[str, str]]) -> _Answer:
        """The answer to the request, or Socrata's refusal body for what went wrong."""
        try:
            return self._answer(method, path, params)
        except _DropConnection:
            raise
        except PortalError as error:
            return _json_answer(error.body(), error.status, error.headers)
        except SoqlError as error:
            refusal = PortalError(400, error.code, error.message)
            return _json_answer(refusal.body(), refusal.status)
        except Exception:
            log.exception("failed to answer %s %s", method, self.path)
            return _json_answer(
                {
                    "error": True,
                    "code": "internal_error",
                    "message": "the local portal failed to answer; its log has the details",
                },
                500,
            )

    def _log_request(
        self, method: str, path: str, params: list[tuple[str, str]], status: int | None
    ) -> None:
        if path.startswith("/_portal/"):
            return
        entry = {
            "method": method,
            "path": path,
            "query": {k: v for k, v in params if k != "$$app_token"},
            "rows": self._body_rows,
            **(self._body_keys or {}),
            "status": status,
        }
        if self._fault is not None:
            entry["fault"] = self._fault.label()
        self.server.portal.requests.record(entry)

    # Injected wire faults -----------------------------------------------------------------

    def _reset_connection(self) -> None:
        """Close the socket with a TCP reset (SO_LINGER 0), as a crashed peer or proxy does."""
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.wfile.flush()
        with contextlib.suppress(OSError):
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        with contextlib.suppress(OSError):
            self.connection.close()

    def _send_broken(self, answer: _Answer, kind: str) -> None:
        """Send `answer` broken as the injected `kind` says (see control.py)."""
        if answer.body_file is not None:
            body = answer.body_file.read_bytes()
            answer.body_file.unlink(missing_ok=True)
        else:
            body = answer.body
        length = len(body)
        if kind == "cut_mid_row":
            body = _cut_mid_row(body)
            length = len(body)
        elif kind in ("truncated", "reset_mid_body"):
            body = body[: len(body) // 2]
        try:
            self._send_head(answer, length)
            self.wfile.write(body)
            self.wfile.flush()
        except OSError:
            pass
        self.close_connection = True
        if kind == "reset_mid_body":
            self._reset_connection()

    def _send(self, answer: _Answer, *, head: bool = False) -> None:
        try:
            length = answer.body_file.stat().st_size if answer.body_file else len(answer.body)
            self._send_head(answer, length)
            if head:
                return
            if answer.body_file is None:
                self.wfile.write(answer.body)
            else:
                with answer.body_file.open("rb") as body:
                    shutil.copyfileobj(body, self.wfile, STREAM_CHUNK_BYTES)
        except OSError:
            self.close_connection = True
        finally:
            if answer.body_file is not None:
                answer.body_file.unlink(missing_ok=True)

    def _send_head(self, answer: _Answer, length: int) -> None:
        """The status line and headers of `answer`, announcing a body of `length` bytes."""
        self.send_response(answer.status)
        self.send_header("Content-Type", answer.content_type)
        self.send_header("Content-Length", str(length))
        for name, value in answer.headers.items():
            self.send_header(name, value)
        self.end_headers()

    # Request bodies -----------------------------------------------------------------------

    def _read_body(self) -> bytes:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            self.close_connection = True
            raise PortalError(
                411, "length_required", "send the body with a Content-Length, not chunked"
            )
        length_text = self.headers.get("Content-Length")
        if length_text is None:
            return b""
        if not _DIGITS_RE.fullmatch(length_text.strip()):
            self.close_connection = True
            raise bad_request("Content-Length must be a whole number")
        length = int(length_text)
        if length > MAX_BODY_BYTES:
            self.close_connection = True
            raise PortalError(
                413, "payload_too_large", f"bodies are limited to {MAX_BODY_BYTES // 2**20} MiB"
            )
        try:
            body = self.rfile.read(length)
        except OSError:
            body = b""
        if len(body) < length:
            self.close_connection = True
            raise bad_request("the body ended before its Content-Length")
        return body

    def _json_body(self, body: bytes) -> Any:
        if not body.strip():
            raise bad_request("the request needs a JSON body")
        try:
            return json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError) as error:
            raise bad_request(f"the body is not valid JSON: {error}") from None

    def _rows_body(self, body: bytes) -> Any:
        content_type = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        rows = _csv_rows(body) if content_type == "text/csv" else self._json_body(body)
        if isinstance(rows, list):
            self._body_rows = len(rows)
        return rows

    def _record_keys(self, dataset: Dataset, rows: Any) -> None:
        """For the request log: which rows a write upserted and which it deleted, by key."""
        key = dataset.row_identifier or ":id"
        if not isinstance(rows, list):
            return
        upserted, deleted = [], []
        for row in rows:
            if isinstance(row, dict) and row.get(key) is not None:
                is_deleted = row.get(":deleted") in (True, "true")
                (deleted if is_deleted else upserted).append(str(row[key]))
        self._body_keys = {"upserted_keys": upserted, "deleted_keys": deleted}

    def _log_refused_write(self, path: str, body: bytes) -> None:
        """For the request log: the rows and keys of a write a fault refused or dropped."""
        try:
            rows = json.loads(body)
        except (ValueError, RecursionError):
            return
        if isinstance(rows, list):
            self._body_rows = len(rows)
        match = _RESOURCE_RE.fullmatch(path)
        if match is None:
            return
        try:
            dataset = self.server.portal.store.dataset(match["id"])
        except PortalError:
            return
        self._record_keys(dataset, rows)

    # Access -------------------------------------------------------------------------------

    def _check_access(self, params: list[tuple[str, str]], *, write: bool) -> None:
        self._check_app_token(params)
        if self.server.portal.credentials is not None:
            self._check_credentials(self.server.portal.credentials, write=write)

    def _check_app_token(self, params: list[tuple[str, str]]) -> None:
        """A token other than the configured one is refused; no token at all is served."""
        expected = self.server.portal.app_token
        token = self.headers.get("X-App-Token") or dict(params).get("$$app_token")
        if expected is not None and token is not None and not _same_secret(token, expected):
            raise PortalError(403, "invalid_app_token", "the app token is not valid here")

    def _check_credentials(self, credentials: tuple[str, str], *, write: bool) -> None:
        """Writes need the credentials; wrong credentials are refused on any request."""
        challenge = {"WWW-Authenticate": 'Basic realm="local-portal", charset="UTF-8"'}
        header = self.headers.get("Authorization")
        if header is None:
            if write:
                raise PortalError(
                    401, "authentication_required", "writes need HTTP Basic auth", challenge
                )
            return
        scheme, username, password = _basic_auth(header)
        expected_username, expected_password = credentials
        valid = (
            scheme.lower() == "basic"
            and _same_secret(username, expected_username)
            and _same_secret(password, expected_password)
        )
        if not valid:
            raise PortalError(401, "invalid_credentials", "invalid username or password", challenge)

    # Routing ------------------------------------------------------------------------------

    def _answer(self, method: str, path: str, params: list[tuple[str, str]]) -> _Answer:
        """Match the path to a route (`_ROUTES`, below the class) and run its handler.

        The local extensions under /_portal/ skip faults and auth. Elsewhere a queued fault
        comes first, even before a 404, and every method but GET counts as a write.
        """
        body = self._read_body()
        if path.startswith("/_portal/"):
            route, match = _find_route(_CONTROL_ROUTES, path)
            handler = route.handler(method)
        else:
            self._apply_fault(method, path, body)
            route, match = _find_route(_ROUTES, path)
            handler = route.handler(method)
            self._check_access(params, write=method != "GET")
        return handler(self, _Request(match, params, body))

    def _apply_fault(self, method: str, path: str, body: bytes) -> None:
        """Take the fault queued for `path`, if any: wait its delay, then drop or refuse."""
        portal = self.server.portal
        fault = self._fault = portal.faults.take(path)
        if fault is None:
            return
        if fault.delay_s:
            portal.stopping.wait(fault.delay_s)
        if method in ("POST", "PUT") and (fault.kind == "reset" or fault.status is not None):
            self._log_refused_write(path, body)
        if fault.kind == "reset":
            raise _DropConnection
        if fault.status is not None:
            headers = {}
            if fault.retry_after is not None:
                headers["Retry-After"] = str(fault.retry_after)
            if fault.status == 202:  # Socrata's "not ready, retry later": nothing was done
                raise PortalError(202, "processing", "still processing: ask again later", headers)
            raise PortalError(
                fault.status, "injected_fault", "a fault injected for a test", headers
            )

    # Socrata endpoints (the routes in _ROUTES) --------------------------------------------

    def _base_url(self) -> tuple[str, str]:
        """This portal's base URL and its domain (host:port), as answers name them."""
        host, port = self.server.server_address[:2]
        domain = f"[{host}]:{port}" if ":" in str(host) else f"{host}:{port}"
        return f"http://{domain}", domain

    def _get_catalog(self, request: _Request) -> _Answer:
        values: dict[str, list[str]] = {}
        for name, value in request.params:
            values.setdefault(name, []).append(value)
        datasets = _catalog_search(self.server.portal.store.datasets(), values)
        limit = _whole_number(
            values.get("limit", [str(CATALOG_DEFAULT_LIMIT)])[-1], "limit", CATALOG_MAX_LIMIT
        )
        offset = _whole_number(values.get("offset", ["0"])[-1], "offset", MAX_OFFSET)
        base_url, domain = self._base_url()
        return _json_answer(
            {
                "results": [
                    dataset.catalog_entry(base_url=base_url, domain=domain)
                    for dataset in datasets[offset : offset + limit]
                ],
                "resultSetSize": len(datasets),
                "timings": {"serviceMillis": 0, "searchMillis": [0, 0]},
            }
        )

    def _get_dataset_file(self, request: _Request) -> _Answer:
        """An attachment, while the dataset's view lists it (`download`, `filename` ignored)."""
        dataset = self.server.portal.store.dataset(request.path["id"])
        asset_id = request.path["asset"]
        if asset_id not in attachment_ids(dataset.view):
            raise not_found(f"{dataset.id} has no attachment {asset_id}")
        asset = self.server.portal.assets.get(asset_id)
        headers = {"Content-Disposition": _content_disposition(asset.filename)}
        return _Answer(200, asset.body, asset.content_type, headers)

    def _publish(self, request: _Request) -> _Answer:
        return _json_answer(self.server.portal.store.dataset(request.path["id"]).rendered())

    def _get_current_user(self, request: _Request) -> _Answer:
        """Who the request's credentials are (docs_authentication.md, "current user").

        Unlike a read of public data, this needs credentials: without them there is no
        current user, and Socrata answers 401. Wrong ones were refused before this ran.
        """
        header = self.headers.get("Authorization")
        if header is None:
            raise PortalError(
                401,
                "authentication_required",
                "not logged in",
                {"WWW-Authenticate": 'Basic realm="local-portal", charset="UTF-8"'},
            )
        _, username, _ = _basic_auth(header)
        user_id = hashlib.sha256(username.encode()).hexdigest()
        return _json_answer(
            {
                "id": f"{user_id[:4]}-{user_id[4:8]}",
                "displayName": username,
                "screenName": username,
                "roleName": "publisher",
                "rights": ["create_datasets", "edit_others_datasets", "view_others_datasets"],
            }
        )

    def _get_view(self, request: _Request) -> _Answer:
        return _json_answer(self.server.portal.store.dataset(request.path["id"]).rendered())

    def _update_view(self, request: _Request) -> _Answer:
        update = self._json_body(request.body)
        dataset = self.server.portal.store.change_view(
            request.path["id"], lambda view: put_view(view, update)
        )
        return _json_answer(dataset.rendered())

    def _delete_view(self, request: _Request) -> _Answer:
        self.server.portal.store.delete_dataset(request.path["id"])
        return _Answer(200, b"")

    # Metadata API v1

    def _metadata(self, dataset: Dataset, view: dict[str, Any] | None = None) -> dict[str, Any]:
        base_url, domain = self._base_url()
        return render_metadata(
            dataset.id,
            dataset.view if view is None else view,
            created_at=dataset.created_at,
            rows_updated_at=dataset.rows_updated_at,
            view_last_modified=dataset.view_last_modified,
            base_url=base_url,
            domain=domain,
        )

    def _get_metadata(self, request: _Request) -> _Answer:
        return _json_answer(self._metadata(self.server.portal.store.dataset(request.path["id"])))

    def _patch_metadata(self, request: _Request) -> _Answer:
        params = dict(request.params)
        validate_only = _flag(params.get("validateOnly"), "validateOnly")
        _flag(params.get("strict"), "strict")  # no warnings here, so strict changes nothing
        store = self.server.portal.store
        dataset = store.dataset(request.path["id"])
        fields = self._json_body(request.body)
        if validate_only:
            view, errors = patch_view(dataset.view, fields)
            metadata = self._metadata(dataset, view)
            return _json_answer({"metadata": metadata, "errors": errors, "warnings": []})

        def patched(view: dict[str, Any]) -> dict[str, Any]:
            changed, errors = patch_view(view, fields)
            if errors:
                raise PortalError(
                    400, "invalid_request", errors[0]["message"], data={"errors": errors}
                )
            return changed

        return _json_answer(self._metadata(store.change_view(dataset.id, patched)))

    # Dataset Management API

    def _open_new_revision(self, request: _Request) -> _Answer:
        revision = self.server.portal.publishing.open_revision(self._json_body(request.body))
        return _json_answer(answer(revision.rendered(), revision.links()), 201)

    def _open_revision(self, request: _Request) -> _Answer:
        publishing = self.server.portal.publishing
        revision = publishing.open_revision(self._json_body(request.body), request.path["id"])
        return _json_answer(answer(revision.rendered(), revision.links()), 201)

    def _get_revision(self, request: _Request) -> _Answer:
        revision = self.server.portal.publishing.revision(request.path["id"], request.path["seq"])
        return _json_answer(answer(revision.rendered(), revision.links()))

    def _update_revision(self, request: _Request) -> _Answer:
        revision = self.server.portal.publishing.update_revision(
            request.path["id"], request.path["seq"], self._json_body(request.body)
        )
        return _json_answer(answer(revision.rendered(), revision.links()), 202)

    def _discard_revision(self, request: _Request) -> _Answer:
        revision = self.server.portal.publishing.discard(request.path["id"], request.path["seq"])
        return _json_answer(answer(revision.rendered(), revision.links()), 201)

    def _apply_revision(self, request: _Request) -> _Answer:
        body = self._json_body(request.body) if request.body.strip() else {}
        task = self.server.portal.publishing.apply(request.path["id"], request.path["seq"], body)
        return _json_answer(answer(task))

    def _add_revision_attachment(self, request: _Request) -> _Answer:
        uploaded = self.server.portal.publishing.add_attachment(
            request.path["id"],
            request.path["seq"],
            self.headers.get("X-File-Name"),
            self.headers.get("Content-Type") or "",
            request.body,
        )
        return _json_answer(uploaded, 201)

    def _create_source(self, request: _Request) -> _Answer:
        source = self.server.portal.publishing.create_source(
            request.path["id"], request.path["seq"], self._json_body(request.body)
        )
        return _json_answer(answer(source.rendered(), source.links()), 201)

    def _get_source(self, request: _Request) -> _Answer:
        source = self.server.portal.publishing.source(request.path["source"])
        return _json_answer(answer(source.rendered(), source.links()))

    def _upload_source(self, request: _Request) -> _Answer:
        source = self.server.portal.publishing.upload(
            request.path["source"], self.headers.get("Content-Type") or "", request.body
        )
        return _json_answer(answer(source.rendered(), source.links()), 201)

    def _create_output_schema(self, request: _Request) -> _Answer:
        increment = dict(request.params).get("increment_revision")
        schema = self.server.portal.publishing.create_output_schema(
            request.path["source"],
            request.path["schema"],
            self._json_body(request.body),
            increment_revision=increment is None or _flag(increment, "increment_revision"),
        )
        return _json_answer(answer(schema.rendered()), 201)

    # Rows

    def _rows_of(self, dataset_id: str) -> str:
        """A dataset id of a /resource path; an unknown one is Socrata's `dataset.missing`
        (recorded/test_get_missing.yaml)."""
        if not self.server.portal.store.exists(dataset_id):
            raise missing_dataset(dataset_id, "dataset.missing")
        return dataset_id

    def _delete_row(self, request: _Request) -> _Answer:
        store = self.server.portal.store
        dataset = store.dataset(self._rows_of(request.path["id"]))
        row = request.path["row"]
        key = dataset.row_identifier or ":id"
        answer = store.upsert(dataset.id, [{key: row, ":deleted": True}])
        if not answer["Rows Deleted"]:
            raise not_found(f"no row {row} in {dataset.id}")
        return _Answer(200, b"")

    def _get_rows(self, request: _Request) -> _Answer:
        output = request.path["format"] or "json"
        dataset_id = self._rows_of(request.path["id"])
        if output == "json":
            return self._rows_as_json(dataset_id, request.params)
        if output == "csv":
            return self._rows_as_csv(dataset_id, request.params)
        raise bad_request(f"the local portal serves .json and .csv, not .{output}")

    def _rows_as_json(self, dataset_id: str, params: list[tuple[str, str]]) -> _Answer:
        selection = self.server.portal.store.select(dataset_id, soql_query(params), as_json=True)
        text = "[" + ",\n".join(row[0] for row in selection.rows) + "]"
        headers = _field_headers(selection.fields, selection.types)
        return _Answer(200, text.encode("utf-8"), JSON_TYPE, headers)

    def _is_soda_2_0(self, dataset_id: str) -> bool:
        """Whether the dataset is served by a SODA 2.0 endpoint: its view says it is not on
        the new backend (`"newBackend": false`), as datasets not yet migrated say."""
        return self.server.portal.store.dataset(dataset_id).view.get("newBackend") is False

    def _rows_as_csv(self, dataset_id: str, params: list[tuple[str, str]]) -> _Answer:
        """A CSV answer is written to a file and streamed from it. It has no row cap on a
        2.1 endpoint; a 2.0 endpoint caps any page at 50,000 rows (docs_paging.md)."""
        handle, name = tempfile.mkstemp(prefix="portal-answer-", suffix=".csv")
        os.close(handle)
        body_file = Path(name)
        try:
            cap = MAX_LIMIT if self._is_soda_2_0(dataset_id) else None
            fields, types = self.server.portal.store.select_csv(
                dataset_id, soql_query(params, max_limit=cap), body_file
            )
        except BaseException:
            body_file.unlink(missing_ok=True)
            raise
        return _Answer(200, b"", CSV_TYPE, _field_headers(fields, types), body_file)

    def _upsert_rows(self, request: _Request) -> _Answer:
        rows = self._written_rows(request)
        return _json_answer(self.server.portal.store.upsert(request.path["id"], rows))

    def _replace_rows(self, request: _Request) -> _Answer:
        rows = self._written_rows(request)
        return _json_answer(self.server.portal.store.replace(request.path["id"], rows))

    def _written_rows(self, request: _Request) -> Any:
        """The rows of a write's body, noted with their keys in the request log."""
        dataset = self.server.portal.store.dataset(self._rows_of(request.path["id"]))
        rows = self._rows_body(request.body)
        self._record_keys(dataset, rows)
        return rows

    # Local extensions (the routes in _CONTROL_ROUTES) -------------------------------------

    def _health(self, request: _Request) -> _Answer:
        return _json_answer({"ok": True})

    def _get_requests(self, request: _Request) -> _Answer:
        return _json_answer(self.server.portal.requests.entries())

    def _clear_requests(self, request: _Request) -> _Answer:
        self.server.portal.requests.clear()
        return _json_answer({"ok": True})

    def _get_faults(self, request: _Request) -> _Answer:
        return _json_answer(self.server.portal.faults.pending())

    def _add_fault(self, request: _Request) -> _Answer:
        fault = parse_fault(self._json_body(request.body))
        self.server.portal.faults.add(fault)
        return _json_answer({"queued": asdict(fault)})

    def _clear_faults(self, request: _Request) -> _Answer:
        self.server.portal.faults.clear()
        return _json_answer({"ok": True})

    def _reload(self, request: _Request) -> _Answer:
        reports = self.server.portal.store.sync_csv_files()
        return _json_answer({"imported": [asdict(report) for report in reports]})

    def _seed_view(self, request: _Request) -> _Answer:
        body = self._json_body(request.body)
        dataset = self.server.portal.store.seed_dataset(request.path["id"], body)
        return _json_answer(dataset.rendered())


# The endpoints in the order they are tried, each method's handler in the order `Allow` lists.
_ROUTES = (
    _Route(re.compile(r"/api/catalog/v1"), {"GET": _Handler._get_catalog}),
    _Route(re.compile(r"/api/users/current\.json"), {"GET": _Handler._get_current_user}),
    _Route(_FILE_RE, {"GET": _Handler._get_dataset_file}),
    _Route(_PUBLICATION_RE, {"POST": _Handler._publish}),
    _Route(_METADATA_RE, {"GET": _Handler._get_metadata, "PATCH": _Handler._patch_metadata}),
    _Route(
        _VIEW_RE,
        {"GET": _Handler._get_view, "PUT": _Handler._update_view, "DELETE": _Handler._delete_view},
    ),
    _Route(re.compile(_REVISIONS), {"POST": _Handler._open_new_revision}),
    _Route(re.compile(rf"{_REVISIONS}/{_DATASET}"), {"POST": _Handler._open_revision}),
    _Route(
        re.compile(_REVISION_RE),
        {
            "GET": _Handler._get_revision,
            "PUT": _Handler._update_revision,
            "PATCH": _Handler._update_revision,
            "DELETE": _Handler._discard_revision,
        },
    ),
    _Route(re.compile(rf"{_REVISION_RE}/apply"), {"PUT": _Handler._apply_revision}),
    _Route(re.compile(rf"{_REVISION_RE}/attachment"), {"POST": _Handler._add_revision_attachment}),
    _Route(re.compile(rf"{_REVISION_RE}/source"), {"POST": _Handler._create_source}),
    _Route(re.compile(_SOURCE_RE), {"GET": _Handler._get_source, "POST": _Handler._upload_source}),
    _Route(
        re.compile(rf"{_SOURCE_RE}/schema/(?P<schema>[^/]+)"),
        {"POST": _Handler._create_output_schema},
    ),
    _Route(_ROW_RE, {"DELETE": _Handler._delete_row}),
    _Route(
        _RESOURCE_RE,
        {"GET": _Handler._get_rows, "POST": _Handler._upsert_rows, "PUT": _Handler._replace_rows},
    ),
)
_CONTROL_ROUTES = (
    _Route(re.compile(r"/_portal/health"), {"GET": _Handler._health}),
    _Route(
        re.compile(r"/_portal/requests"),
        {"GET": _Handler._get_requests, "DELETE": _Handler._clear_requests},
    ),
    _Route(
        re.compile(r"/_portal/faults"),
        {
            "GET": _Handler._get_faults,
            "POST": _Handler._add_fault,
            "DELETE": _Handler._clear_faults,
        },
    ),
    _Route(re.compile(r"/_portal/reload"), {"POST": _Handler._reload}),
    _Route(_SEED_RE, {"PUT": _Handler._seed_view}),
)


@dataclass
class PortalHandle:
    """A portal serving in a background thread; `stop()` (or leaving `with`) ends it."""

    host: str
    port: int
    store: PortalStore
    _server: _Server = field(repr=False)
    _thread: threading.Thread = field(repr=False)
    _stopped: bool = field(default=False, repr=False)

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def stop(self) -> None:
        """Stop serving, end every connection and handler thread, and close the store."""
        if self._stopped:
            return
        self._stopped = True
        self._server.portal.stopping.set()
        self._server.shutdown()
        self._server.close_connections()
        self._server.server_close()
        self._thread.join()
        self.store.close()

    def __enter__(self) -> PortalHandle:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def serve_in_thread(
    data_dir: Path | str,
    host: str = "127.0.0.1",
    port: int = 0,
    username: str | None = None,
    password: str | None = None,
    app_token: str | None = None,
) -> PortalHandle:
    """Open the store in `data_dir` and serve it on `host:port` (0: any free port).

    Raises ValueError for a non-loopback host or a username without a password (or the
    reverse), and OSError when the port cannot be bound.
    """
    if bool(username) != bool(password):
        raise ValueError("a username and a password go together")
    address, family = loopback_address(host)
    store = PortalStore(data_dir)
    try:
        credentials = (username, password) if username and password else None
        server = _Server((address, port), family, _Portal(store, credentials, app_token or None))
    except BaseException:
        store.close()
        raise
    bound_port = int(server.server_address[1])
    thread = threading.Thread(
        target=server.serve_forever,
        kwargs={"poll_interval": 0.05},
        name=f"local-portal-{bound_port}",
        daemon=True,
    )
    thread.start()
    return PortalHandle(address, bound_port, store, server, thread)
