"""Fixtures for the local portal: a served data folder, sodapy clients, CSV files, seeded views,
and Socrata's own documents and recorded answers (../shared/socrata, beside the repository)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
import yaml
from sodapy import Socrata

from tooling.local_portal import PortalHandle, serve_in_thread

# ../shared/socrata: Socrata's documents and real recorded answers; never copied in here.
SHARED_SOCRATA = Path(__file__).parents[2].parent / "shared" / "socrata"
RECORDED_VIEW_ID = "uczf-rk3c"  # recorded/test_get_metadata_and_attachments.yaml
PUBLISHER = ("publisher", "s3cret")

CFS_ID = "cfs1-2022"
CFS_META = {
    "name": "Calls for Service 2022",
    "description": "Internal calls for service.",
    "attribution": "Orleans Parish Communication District",
    "rowIdentifier": "nopd_item",
    "columns": [
        {"fieldName": "nopd_item", "name": "NOPD_Item", "dataTypeName": "text"},
        {"fieldName": "type_", "name": "Type_", "dataTypeName": "text"},
        {"fieldName": "priority", "name": "Priority", "dataTypeName": "text"},
        {"fieldName": "mapx", "name": "MapX", "dataTypeName": "number"},
        {"fieldName": "timecreate", "name": "TimeCreate", "dataTypeName": "calendar_date"},
    ],
    "custom_fields": {"Lineage": {"source": "OPCD CAD"}},
}
CFS_CSV = """NOPD_Item,Type_,Priority,MapX,TimeCreate,:updated_at
A0001-22,21,2A,3668797,2022-01-01T00:07:00.000,2026-11-01T10:00:00.000Z
A0002-22,103D,1B,900,2022-01-01T01:30:00.000,2026-11-01T11:00:00.000Z
A0003-22,21,,10000,2022-01-01T23:59:00.000,2026-11-02T09:30:00.000Z
A0004-22,62A,2A,,2022-01-02T00:00:00.000,2026-11-03T08:00:00.000Z
"""


def write_dataset(folder: Path, dataset_id: str, csv_text: str, meta: Any = None) -> Path:
    """Write `<id>.csv` (and `<id>.meta.json` when `meta` is given) into `folder`."""
    path = folder / f"{dataset_id}.csv"
    path.write_text(csv_text, encoding="utf-8")
    if meta is not None:
        (folder / f"{dataset_id}.meta.json").write_text(json.dumps(meta), encoding="utf-8")
    return path


def seed_view(portal: PortalHandle, dataset_id: str, view: dict[str, Any]) -> dict[str, Any]:
    """A published, empty dataset with `view` (`PUT /_portal/views/<id>`), as rendered."""
    answer = requests.put(f"{portal.url}/_portal/views/{dataset_id}", json=view, timeout=5)
    answer.raise_for_status()
    return answer.json()


def recorded_exchanges(shared: Path, cassette: str) -> list[dict[str, Any]]:
    """The exchanges of a recorded cassette: method, uri, status, headers and body text."""
    recorded = yaml.safe_load((shared / "recorded" / cassette).read_text(encoding="utf-8"))
    return [
        {
            "method": exchange["request"]["method"],
            "uri": exchange["request"]["uri"],
            "status": exchange["response"]["status"]["code"],
            "headers": exchange["response"]["headers"],
            "body": exchange["response"]["body"]["string"],
        }
        for exchange in recorded["interactions"]
    ]


def recorded_view(shared: Path) -> dict[str, Any]:
    """The real published view of recorded/test_get_metadata_and_attachments.yaml."""
    return json.loads(
        recorded_exchanges(shared, "test_get_metadata_and_attachments.yaml")[0]["body"]
    )


def socrata_client(portal: PortalHandle, **kwargs: Any) -> Socrata:
    """sodapy speaking plain HTTP to the portal, as the pipeline's client does."""
    adapter = {"prefix": "http://", "adapter": requests.adapters.HTTPAdapter()}
    return Socrata(
        f"{portal.host}:{portal.port}",
        kwargs.pop("app_token", None),
        **kwargs,
        session_adapter=adapter,
    )


@pytest.fixture(autouse=True)
def _no_leaked_threads() -> Iterator[None]:
    """Every portal a test starts is stopped, with all of its threads."""
    before = set(threading.enumerate())
    yield
    deadline = time.monotonic() + 2
    while True:
        leaked = [t for t in threading.enumerate() if t not in before and t.is_alive()]
        if not leaked or time.monotonic() > deadline:
            break
        time.sleep(0.01)
    assert not leaked, f"threads left running: {leaked}"


@pytest.fixture
def shared_socrata() -> Path:
    """../shared/socrata; tests that read Socrata's documents or recordings skip without it."""
    if not SHARED_SOCRATA.is_dir():
        pytest.skip(
            f"Socrata's documents and recorded answers are not at {SHARED_SOCRATA} "
            "(../shared/socrata beside the repository; they are never committed)"
        )
    return SHARED_SOCRATA


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "portal"
    folder.mkdir()
    return folder


@pytest.fixture
def cfs_dir(data_dir: Path) -> Path:
    """A data folder holding the calls-for-service CSV with its sidecar."""
    write_dataset(data_dir, CFS_ID, CFS_CSV, CFS_META)
    return data_dir


@pytest.fixture
def start_portal() -> Iterator[Callable[..., PortalHandle]]:
    """Start portals on free ports; all are stopped when the test ends."""
    handles: list[PortalHandle] = []

    def start(data_dir: Path, **kwargs: Any) -> PortalHandle:
        handle = serve_in_thread(data_dir, port=0, **kwargs)
        handles.append(handle)
        return handle

    yield start
    for handle in handles:
        handle.stop()


@pytest.fixture
def portal(cfs_dir: Path, start_portal: Callable[..., PortalHandle]) -> PortalHandle:
    return start_portal(cfs_dir)


@pytest.fixture
def client(portal: PortalHandle) -> Iterator[Socrata]:
    with socrata_client(portal) as socrata:
        yield socrata


@pytest.fixture
def guarded_portal(cfs_dir: Path, start_portal: Callable[..., PortalHandle]) -> PortalHandle:
    """A portal whose writes need the publisher's credentials (`PUBLISHER`)."""
    username, password = PUBLISHER
    return start_portal(cfs_dir, username=username, password=password)
