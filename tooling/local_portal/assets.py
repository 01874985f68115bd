"""Files attached to datasets: what `POST /api/assets` stores and the views link to.

Socrata keeps a dataset's attachments as assets: a client uploads a file (multipart form,
part `file`), gets an asset id back, and lists it in the view's `metadata.attachments`;
readers download it at `/api/views/<id>/files/<asset id>`. The portal keeps each file in
`<data dir>/assets/<asset id>` with a small JSON sidecar naming its file name and type.
"""

from __future__ import annotations

import json
import re
import secrets
from dataclasses import dataclass
from email.parser import BytesParser
from email.policy import HTTP
from pathlib import Path

from tooling.local_portal.errors import bad_request, not_found

ASSET_ID_RE = re.compile(r"[a-z0-9]{4}-[a-z0-9]{4}")
MAX_ASSET_BYTES = 16 * 2**20


@dataclass(frozen=True)
class Asset:
    asset_id: str
    filename: str
    content_type: str
    body: bytes

    def rendered(self) -> dict[str, str]:
        return {"id": self.asset_id, "nameForOutput": self.filename, "filename": self.filename}


def parse_upload(content_type: str, body: bytes) -> tuple[str, str, bytes]:
    """The (file name, content type, bytes) of the `file` part of a multipart form."""
    if not content_type.lower().startswith("multipart/form-data"):
        raise bad_request("upload a file as multipart/form-data with a part named file")
    if len(body) > MAX_ASSET_BYTES:
        raise bad_request(f"files are limited to {MAX_ASSET_BYTES // 2**20} MiB")
    message = BytesParser(policy=HTTP).parsebytes(
        f"Content-Type: {content_type}\r\n\r\n".encode() + body
    )
    for part in message.iter_parts():
        if part.get_param("name", header="content-disposition") == "file":
            filename = Path(part.get_filename() or "attachment").name
            return filename, part.get_content_type(), part.get_payload(decode=True) or b""
    raise bad_request("the form has no part named file")


class AssetStore:
    def __init__(self, data_dir: Path) -> None:
        self.directory = data_dir / "assets"

    def add(self, filename: str, content_type: str, body: bytes) -> Asset:
        self.directory.mkdir(parents=True, exist_ok=True)
        asset_id = f"{secrets.token_hex(2)}-{secrets.token_hex(2)}"
        (self.directory / asset_id).write_bytes(body)
        sidecar = {"filename": filename, "content_type": content_type}
        (self.directory / f"{asset_id}.json").write_text(json.dumps(sidecar))
        return Asset(asset_id, filename, content_type, body)

    def get(self, asset_id: str) -> Asset:
        path = self.directory / asset_id
        if not ASSET_ID_RE.fullmatch(asset_id) or not path.is_file():
            raise not_found(f"no asset {asset_id}")
        sidecar = json.loads((self.directory / f"{asset_id}.json").read_text())
        return Asset(asset_id, sidecar["filename"], sidecar["content_type"], path.read_bytes())
