"""Each publish leaves its lineage on the portal: the document attached, the view pointing at it.

After the rows are sent, the publish asset builds the dataset's lineage document from
Dagster's metadata (column lineage, check executions of this run) and dbt's manifest,
attaches it as two files (HTML and JSON) through a Dataset Management API revision, and
merges the fields the platform owns into the dataset's metadata (Metadata API v1): its
description, attribution, and the "Provenance" fieldset pointing at the document. The rest
of the view belongs to the city's staff and is never sent.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from importlib.metadata import version
from typing import Any

import dagster as dg

from orchestration.catalog import PublishedDataset, Source
from orchestration.lineage.document import (
    CheckOutcome,
    document_bytes,
    lineage_html,
)
from orchestration.lineage.manifest import ManifestIndex
from orchestration.lineage.trace import ColumnTrace, LineageLookup, trace_column
from orchestration.socrata.client import SocrataClient

UPDATE_FREQUENCY = "Daily"
PROVENANCE_FIELDSET = "Provenance"
# The platform's own attachments (file name: display name); any other is the city's.
LINEAGE_FILES = {
    "lineage.html": "Lineage",
    "lineage.json": "Lineage (JSON, OpenLineage column lineage)",
}


def code_version(asset_code_version: str | None) -> str:
    return f"{version('orchestration')}+asset.{asset_code_version or 'none'}"


def trace_columns(
    dataset: PublishedDataset,
    sources: Sequence[Source],
    lookup: LineageLookup,
    manifest: ManifestIndex,
) -> list[ColumnTrace]:
    raw_assets = {source.raw_asset_key: source.name for source in sources}
    return [
        trace_column(
            dataset.mart_asset_key,
            column.field_name,
            raw_assets=raw_assets,
            lookup=lookup,
            manifest=manifest,
        )
        for column in dataset.public_columns
    ]


def check_outcomes(
    instance: dg.DagsterInstance, check_keys: Sequence[dg.AssetCheckKey], run_id: str
) -> list[CheckOutcome]:
    """Each check's execution in `run_id`, else its latest, as the UI shows them."""
    outcomes = []
    for key in sorted(check_keys, key=lambda k: k.name):
        history = instance.event_log_storage.get_asset_check_execution_history(key, limit=20)
        record = next((r for r in history if r.run_id == run_id), history[0] if history else None)
        if record is None:
            continue
        evaluation = record.event.dagster_event.event_specific_data if record.event else None
        severity = getattr(getattr(evaluation, "severity", None), "value", "ERROR")
        outcomes.append(CheckOutcome(key.name, record.status.value == "SUCCEEDED", severity))
    return outcomes


# The fields of the platform's own fieldset, in the order a view shows them.
PROVENANCE_KEYS = (
    "Lineage document",
    "Lineage JSON",
    "Source dataset",
    "Published at",
    "Published by run",
    "Code version",
    "Partition",
    "Update frequency",
)


def provenance_fields(document: Mapping[str, Any], html_url: str, json_url: str) -> dict:
    """The platform's own fieldset: where the lineage document is, and what published."""
    publication = document["publication"]
    values = (
        html_url,
        json_url,
        f"{document['source']['title']} ({document['source']['name']})",
        publication["published_at"],
        publication["run_id"],
        publication["code_version"],
        publication["window"],
        UPDATE_FREQUENCY,
    )
    return dict(zip(PROVENANCE_KEYS, values, strict=True))


def owned_metadata(dataset: PublishedDataset, provenance: Mapping[str, str]) -> dict[str, Any]:
    """The metadata fields the platform owns, as a Metadata API `PATCH` merges them.

    Its description and attribution, and its own "Provenance" fieldset; nothing else of the
    view (name, category, tags, other fieldsets, staff attachments, approvals) is sent, so
    nothing else changes.
    """
    return {
        "description": dataset.description,
        "attribution": dataset.attribution,
        "customFields": {PROVENANCE_FIELDSET: dict(provenance)},
    }


def attach_lineage(client: SocrataClient, dataset_id: str, document: dict[str, Any]) -> dict:
    """Attach the document (HTML and JSON) in one Dataset Management API revision.

    The platform's previous lineage files are replaced, not piled up; every other attachment
    of the dataset is kept as it is. Their download links, by kind.
    """
    revision = client.open_revision(dataset_id)
    seq = revision["revision_seq"]
    try:
        kept = [
            attachment
            for attachment in revision.get("attachments") or []
            if attachment.get("filename") not in LINEAGE_FILES
        ]
        files = {
            "html": ("lineage.html", lineage_html(document).encode(), "text/html; charset=utf-8"),
            "json": ("lineage.json", document_bytes(document), "application/json"),
        }
        uploaded = {
            kind: client.add_revision_attachment(dataset_id, seq, *file)
            for kind, file in files.items()
        }
        client.update_revision(
            dataset_id,
            seq,
            {
                "attachments": kept
                + [
                    {
                        "asset_id": uploaded[kind]["file_id"],
                        "filename": files[kind][0],
                        "name": LINEAGE_FILES[files[kind][0]],
                    }
                    for kind in files
                ]
            },
        )
        client.apply_revision(dataset_id, seq)
    except BaseException:
        client.discard_revision(dataset_id, seq)
        raise
    return {kind: client.attachment_url(dataset_id, uploaded[kind]["file_id"]) for kind in files}


def publish_lineage(
    client: SocrataClient,
    dataset: PublishedDataset,
    document: dict[str, Any],
) -> dict[str, str]:
    """Attach the document and point the dataset's metadata at it; the documents' URLs."""
    dataset_id = document["dataset"]["name"]
    urls = attach_lineage(client, dataset_id, document)
    provenance = provenance_fields(document, urls["html"], urls["json"])
    client.patch_metadata(dataset_id, owned_metadata(dataset, provenance))
    return urls


def now_utc() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
