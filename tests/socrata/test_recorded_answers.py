"""The client against answers real Socrata domains gave, replayed from loopback.

The answers are sodapy's VCR cassettes in ../shared/socrata/recorded (see its README):
request method and URI, then response status, headers and body, recorded against
data.cityofnewyork.us. A small `http.server` on 127.0.0.1 answers a request whose method,
path and query parameters (in any order) match a recorded request with the recorded
answer, and anything else with a 404 of its own, so a test can tell a replayed answer from
a miss. No request leaves the machine, and the cassettes are read in place, never copied.
"""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
import yaml

from orchestration.socrata.client import PortalRefused, SocrataClient, page_cap, portal_reason

RECORDED = Path(__file__).resolve().parents[2].parent / "shared" / "socrata" / "recorded"
if not RECORDED.is_dir():
    pytest.skip(
        f"no recorded Socrata answers at {RECORDED} (the shared folder is absent)",
        allow_module_level=True,
    )

VIEW_CASSETTE = "test_get_metadata_and_attachments.yaml"
MISSING_VIEW_CASSETTE = "test_get_metadata_and_attachments_missing.yaml"
MISSING_RESOURCE_CASSETTE = "test_get_missing.yaml"
CSV_CASSETTE = "test_get_csv.yaml"
CATALOG_CASSETTE = "test_get_datasets.yaml"
RECORDED_DATASET = "uczf-rk3c"  # NYC's "Bicycle Counts", in the view and CSV cassettes

# Not forwarded: they describe the recorded connection, not the answer. The cassettes hold
# bodies already decoded, so their `Content-Encoding: gzip` would be a lie; Content-Length
# is set for the body actually sent.
HOP_BY_HOP = {
    "connection",
    "content-encoding",
    "content-length",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
}
HOST_PLACEHOLDER = "<the portal's host>"


@dataclass(frozen=True)
class Recorded:
    method: str
    path: str
    query: tuple[tuple[str, str], ...]
    status: int
    reason: str
    headers: tuple[tuple[str, str], ...]
    body: bytes


@dataclass(frozen=True)
class Asked:
    method: str
    path: str
    query: tuple[tuple[str, str], ...]
    matched: bool


@dataclass
class Replay:
    """A running replay of one cassette: the client pointed at it, and what it was asked."""

    cassette: str
    interactions: list[Recorded]
    host: str
    asked: list[Asked] = field(default_factory=list)

    def recorded(self, path: str) -> Recorded:
        return next(answer for answer in self.interactions if answer.path == path)


def recorded_body(body: dict[str, Any]) -> bytes:
    """A cassette body's bytes: `string` is text (UTF-8) or, tagged `!!binary`, bytes
    already; newer VCR versions write binary bodies as `base64_string`."""
    if "base64_string" in body:
        return base64.b64decode(body["base64_string"])
    value = body.get("string") or b""
    return value if isinstance(value, bytes) else value.encode("utf-8")


def normalized_query(query: str, host: str) -> tuple[tuple[str, str], ...]:
    """Query parameters in a stable order, the portal's own host (sodapy sends it as the
    catalog's `domains`) replaced, so a recorded data.cityofnewyork.us matches the
    loopback host:port the same request names when replayed."""
    pairs = parse_qsl(query, keep_blank_values=True)
    return tuple(
        sorted((name, HOST_PLACEHOLDER if value == host else value) for name, value in pairs)
    )


def load_cassette(name: str) -> list[Recorded]:
    path = RECORDED / name
    if not path.is_file():
        pytest.skip(f"recorded answer {name} is absent from {RECORDED}")
    cassette = yaml.safe_load(path.read_text(encoding="utf-8"))
    interactions = []
    for interaction in cassette["interactions"]:
        request, response = interaction["request"], interaction["response"]
        uri = urlsplit(request["uri"])
        headers = tuple(
            (header, str(value))
            for header, values in (response.get("headers") or {}).items()
            if header.lower() not in HOP_BY_HOP
            for value in values
        )
        interactions.append(
            Recorded(
                method=request["method"].upper(),
                path=uri.path,
                query=normalized_query(uri.query, uri.netloc),
                status=int(response["status"]["code"]),
                reason=response["status"].get("message") or "",
                headers=headers,
                body=recorded_body(response["body"]),
            )
        )
    return interactions


class ReplayServer(ThreadingHTTPServer):
    daemon_threads = True
    replay: Replay


class ReplayHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: ReplayServer

    def answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        replay = self.server.replay
        target = urlsplit(self.path)
        query = normalized_query(target.query, replay.host)
        found = next(
            (
                answer
                for answer in replay.interactions
                if (answer.method, answer.path, answer.query) == (self.command, target.path, query)
            ),
            None,
        )
        replay.asked.append(Asked(self.command, target.path, query, found is not None))
        if found is None:
            body = f"{replay.cassette} recorded no answer to {self.command} {self.path}".encode()
            self.send_response_only(404, "No Recorded Answer")
            self.send_header("Content-Type", "text/plain; charset=utf-8")
        else:
            body = found.body
            self.send_response_only(found.status, found.reason or None)
            for header, value in found.headers:
                self.send_header(header, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = answer

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def replay() -> Iterator[Callable[..., tuple[SocrataClient, Replay]]]:
    """`replay(cassette, **client_options)`: a loopback server answering as the cassette
    recorded, and a `SocrataClient` pointed at it (no retries unless asked for)."""
    started: list[tuple[ReplayServer, threading.Thread, SocrataClient]] = []

    def start(cassette: str, **options: Any) -> tuple[SocrataClient, Replay]:
        interactions = load_cassette(cassette)
        server = ReplayServer(("127.0.0.1", 0), ReplayHandler)
        host = f"127.0.0.1:{server.server_address[1]}"
        server.replay = Replay(cassette, interactions, host)
        thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
        thread.start()
        options = {"max_retries": 0, "timeout_s": 10, **options}
        client = SocrataClient(host, **options)
        started.append((server, thread, client))
        return client, server.replay

    yield start
    for server, thread, client in started:
        client.close()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def recorded_view() -> dict[str, Any]:
    return json.loads(
        next(a for a in load_cassette(VIEW_CASSETTE) if a.path.endswith(".json")).body
    )


# The view ----------------------------------------------------------------------------------


def test_get_view_returns_the_recorded_view_whole(replay):
    """Replays test_get_metadata_and_attachments.yaml: `/api/views/uczf-rk3c.json` parses
    through `get_view` into exactly the recorded JSON, every key kept."""
    client, served = replay(VIEW_CASSETTE)
    view = client.get_view(RECORDED_DATASET)
    assert view == recorded_view()
    assert view["id"] == RECORDED_DATASET and view["name"] == "Bicycle Counts"
    assert [asked.matched for asked in served.asked] == [True]


def test_get_view_gives_the_row_identifier_as_a_numeric_column_id(replay):
    """Replays test_get_metadata_and_attachments.yaml: a real view names its row identifier
    by column id (`rowIdentifierColumnId`, a number), and `metadata.rowIdentifier` is that
    same id, not a field name."""
    client, _ = replay(VIEW_CASSETTE)
    view = client.get_view(RECORDED_DATASET)
    column_id = view["rowIdentifierColumnId"]
    assert isinstance(column_id, int) and not isinstance(column_id, bool)
    assert view["metadata"]["rowIdentifier"] == column_id
    by_id = {column["id"]: column["fieldName"] for column in view["columns"]}
    assert by_id[column_id] == "countid"


def test_the_recorded_view_is_on_the_new_backend_so_its_pages_have_no_cap(replay):
    """Replays test_get_metadata_and_attachments.yaml: a real view says `"newBackend": true`,
    served by SODA 2.1, whose `$limit` has no cap (docs_paging.md)."""
    client, _ = replay(VIEW_CASSETTE)
    view = client.get_view(RECORDED_DATASET)
    assert view["newBackend"] is True
    assert page_cap(view) is None


def test_get_view_keeps_attachments_with_their_asset_ids(replay):
    """Replays test_get_metadata_and_attachments.yaml: `metadata.attachments` lists each file
    with its `assetId` (a UUID), `filename` and `name`."""
    client, _ = replay(VIEW_CASSETTE)
    attachments = client.get_view(RECORDED_DATASET)["metadata"]["attachments"]
    assert attachments == [
        {
            "filename": "Data-Dictionary-Bicycle_Counts.xlsx",
            "assetId": "6ed2f73d-961f-4200-830e-9fed494e9515",
            "name": "Data-Dictionary-Bicycle_Counts.xlsx",
        }
    ]


def test_get_view_keeps_custom_fields_grouped_by_section(replay):
    """Replays test_get_metadata_and_attachments.yaml: `metadata.custom_fields` maps each
    section to its fields' text values."""
    client, _ = replay(VIEW_CASSETTE)
    custom_fields = client.get_view(RECORDED_DATASET)["metadata"]["custom_fields"]
    assert custom_fields == {
        "Update": {
            "Automation": "Yes",
            "Date Made Public": "12/31/2019",
            "Update Frequency": "Daily",
        },
        "Dataset Information": {"Agency": "Department of Transportation (DOT)"},
    }


def test_get_view_carries_keys_the_publisher_does_not_own(replay):
    """Replays test_get_metadata_and_attachments.yaml: a real view holds keys the portal
    keeps for itself (approvals, owner, grants, ...), which a metadata update must not be
    built from."""
    client, _ = replay(VIEW_CASSETTE)
    view = client.get_view(RECORDED_DATASET)
    portal_owned = {
        "approvals",
        "owner",
        "tableAuthor",
        "grants",
        "rights",
        "flags",
        "oid",
        "tableId",
        "createdAt",
        "rowsUpdatedAt",
        "viewLastModified",
    }
    assert portal_owned <= view.keys()
    assert view["approvals"][0]["state"] == "approved"
    assert isinstance(view["owner"]["id"], str)


def test_get_view_of_a_missing_dataset_is_none(replay):
    """Replays test_get_metadata_and_attachments_missing.yaml: the real 404 for
    `/api/views/songs.json` makes `get_view` answer None."""
    client, served = replay(MISSING_VIEW_CASSETTE)
    assert client.get_view("songs") is None
    assert served.asked == [Asked("GET", "/api/views/songs.json", (), matched=True)]


def test_attachment_download_is_byte_identical(replay):
    """Replays test_get_metadata_and_attachments.yaml: the attachment the view lists, asked
    at the client's `attachment_url` through its session, arrives as the recorded xlsx
    bytes."""
    client, served = replay(VIEW_CASSETTE)
    attachment = client.get_view(RECORDED_DATASET)["metadata"]["attachments"][0]
    path = client.attachment_url(RECORDED_DATASET, attachment["assetId"])
    assert path == f"/api/views/{RECORDED_DATASET}/files/{attachment['assetId']}"
    answer = client._socrata.session.get(
        f"{client.base_url}{path}",
        params={"download": "true", "filename": attachment["filename"]},
        timeout=10,
    )
    answer.raise_for_status()
    recorded = served.recorded(path).body
    assert recorded.startswith(b"PK\x03\x04")  # an xlsx is a zip
    assert answer.content == recorded
    assert answer.headers["Content-Type"] == "application/octet-stream"


# Rows --------------------------------------------------------------------------------------


def test_missing_resource_is_refused_once_with_socratas_message(replay):
    """Replays test_get_missing.yaml: the real 404 for `/resource/songs.json` raises
    `PortalRefused` (status 404) carrying Socrata's own `message`, "Not found", rather than
    the status line's "Not Found"; with a retry budget it is still asked only once."""
    client, served = replay(MISSING_RESOURCE_CASSETTE, max_retries=2, backoff_s=0)
    with pytest.raises(PortalRefused) as refused:
        client.get("songs")
    assert refused.value.status == 404
    response = refused.value.__cause__.response
    assert response.reason == "Not Found"
    assert portal_reason(response) == "Not found"
    assert str(refused.value).endswith(": Not found")
    assert served.asked == [Asked("GET", "/resource/songs.json", (), matched=True)]


def test_download_csv_writes_every_recorded_byte(replay, tmp_path):
    """Replays test_get_csv.yaml: `download_csv` writes the recorded CSV body to the target
    byte for byte and answers its length."""
    client, served = replay(CSV_CASSETTE)
    target = tmp_path / "rows.csv"
    recorded = served.recorded(f"/resource/{RECORDED_DATASET}.csv").body
    assert client.download_csv(RECORDED_DATASET, target) == len(recorded)
    assert target.read_bytes() == recorded
    assert recorded.splitlines()[0] == b'"countid","id","date","counts","status"'
    assert len(recorded.splitlines()) == 1 + 1000  # header and SODA's default page


def test_download_csv_accepts_the_recorded_body_as_whole(replay, tmp_path):
    """Replays test_get_csv.yaml: the real body ends a row outside quotes, so with a retry
    budget the client does not take it for a cut-off answer and asks only once."""
    client, served = replay(CSV_CASSETTE, max_retries=2, backoff_s=0)
    recorded = served.recorded(f"/resource/{RECORDED_DATASET}.csv").body
    assert recorded.endswith(b"\n") and recorded.count(b'"') % 2 == 0
    client.download_csv(RECORDED_DATASET, tmp_path / "rows.csv")
    assert served.asked == [Asked("GET", f"/resource/{RECORDED_DATASET}.csv", (), matched=True)]


# The catalog -------------------------------------------------------------------------------


def test_catalog_page_parses_through_sodapys_datasets(replay):
    """Replays test_get_datasets.yaml: asked as recorded (`domains`, `limit=7`, `offset=0`),
    the sodapy the client wraps returns the page's 7 results without asking for more, though
    the catalog counts 3207 (`limit` reached)."""
    client, served = replay(CATALOG_CASSETTE)
    recorded = json.loads(served.recorded("/api/catalog/v1").body)
    assert recorded["resultSetSize"] == 3207
    results = client._socrata.datasets(limit=7)
    assert results == recorded["results"]
    assert len({entry["resource"]["id"] for entry in results}) == 7
    assert {entry["metadata"]["domain"] for entry in results} == {"data.cityofnewyork.us"}
    assert [asked.matched for asked in served.asked] == [True]


def test_datasets_asks_for_the_whole_catalog_not_a_page(replay):
    """Replays test_get_datasets.yaml: `SocrataClient.datasets()` takes no limit, so sodapy
    asks `domains` and `offset=0` only, meaning to page until it holds `resultSetSize`
    entries (3207 on the recorded domain); the recorded page (`limit=7`) is not that
    request, and the replay's 404 comes back as `PortalRefused`."""
    client, served = replay(CATALOG_CASSETTE)
    with pytest.raises(PortalRefused) as refused:
        client.datasets()
    assert refused.value.status == 404
    assert served.asked == [
        Asked(
            "GET",
            "/api/catalog/v1",
            (("domains", HOST_PLACEHOLDER), ("offset", "0")),
            matched=False,
        )
    ]
