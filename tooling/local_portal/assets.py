"""Files attached to datasets: the bytes behind a view's `metadata.attachments`.

On Socrata a file is attached through a Dataset Management API revision: it is uploaded to
the revision (`POST .../revision/<id>/<seq>/attachment`, see `dsmapi`), gets an asset id (a
UUID, as the recorded view's "6ed2f73d-961f-4200-830e-9fed494e9515"), and once the revision
is applied the view lists it in `metadata.attachments` as `{"assetId", "filename", "name"}`;
readers download it at `/api/views/<id>/files/<asset id>`. The portal keeps each file in
`<data dir>/assets/<asset id>` with a small JSON sidecar naming its file name and type, so
applied attachments survive a restart like every other applied change.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tooling.local_portal.errors import bad_request, not_found

# Asset ids are UUIDs; ids like abcd-1234 were given by earlier portals, and stay readable.
ASSET_ID_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
LEGACY_ASSET_ID_RE = re.compile(r"[a-z0-9]{4}-[a-z0-9]{4}")
MAX_ASSET_BYTES = 16 * 2**20
DEFAULT_CONTENT_TYPE = "application/octet-stream"


@dataclass(frozen=True)
class Asset:
    asset_id: str
    filename: str
    content_type: str
    body: bytes


def attachment_ids(view: Mapping[str, Any]) -> set[str]:
    """The asset ids a view lists as its attachments."""
    attachments = view.get("metadata", {}).get("attachments") or []
    return {item.get("assetId") for item in attachments if isinstance(item, dict)} - {None}


class AssetStore:
    def __init__(self, data_dir: Path) -> None:
        self.directory = data_dir / "assets"

    def add(self, filename: str, content_type: str, body: bytes) -> Asset:
        if len(body) > MAX_ASSET_BYTES:
            raise bad_request(f"files are limited to {MAX_ASSET_BYTES // 2**20} MiB")
        self.directory.mkdir(parents=True, exist_ok=True)
        asset_id = str(uuid.uuid4())
        content_type = content_type or DEFAULT_CONTENT_TYPE
        (self.directory / asset_id).write_bytes(body)
        sidecar = {"filename": filename, "content_type": content_type}
        (self.directory / f"{asset_id}.json").write_text(json.dumps(sidecar))
        return Asset(asset_id, filename, content_type, body)

    def exists(self, asset_id: str) -> bool:
        return self._path(asset_id) is not None

    def get(self, asset_id: str) -> Asset:
        path = self._path(asset_id)
        if path is None:
            raise not_found(f"no asset {asset_id}")
        sidecar = json.loads((self.directory / f"{asset_id}.json").read_text())
        return Asset(asset_id, sidecar["filename"], sidecar["content_type"], path.read_bytes())

    def _path(self, asset_id: str) -> Path | None:
        if not (ASSET_ID_RE.fullmatch(asset_id) or LEGACY_ASSET_ID_RE.fullmatch(asset_id)):
            return None
        path = self.directory / asset_id
        return path if path.is_file() else None
