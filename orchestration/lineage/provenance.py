"""Each publish leaves its lineage on the portal: the document attached, the view pointing at it.

After the rows are sent, the publish asset builds the dataset's lineage document from
Dagster's metadata (column lineage, check executions of this run) and dbt's manifest,
uploads it as two attachments (HTML and JSON), and updates the dataset's metadata: its
description, attribution and source link, update frequency, row identifier, and a
"Provenance" section of custom fields pointing at the document.
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
from orchestration.publishing.rendering import public_view
from orchestration.socrata.client import SocrataClient

UPDATE_FREQUENCY = "Daily"


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


def provenance_view(
    dataset: PublishedDataset, document: Mapping[str, Any], html_url: str, json_url: str
) -> dict[str, Any]:
    """The view update: catalog metadata, attachments and the Provenance custom fields."""
    publication = document["publication"]
    view = public_view(dataset)
    view["attributionLink"] = html_url
    view["metadata"] = {
        **view["metadata"],
        "attachments": [
            {"assetId": html_url.rsplit("/", 1)[-1], "name": "Lineage", "filename": "lineage.html"},
            {
                "assetId": json_url.rsplit("/", 1)[-1],
                "name": "Lineage (JSON, OpenLineage column lineage)",
                "filename": "lineage.json",
            },
        ],
        "custom_fields": {
            "Publishing Details": {"Update Frequency": UPDATE_FREQUENCY},
            "Provenance": {
                "Lineage document": html_url,
                "Lineage JSON": json_url,
                "Source dataset": f"{document['source']['title']} ({document['source']['name']})",
                "Published at": publication["published_at"],
                "Published by run": publication["run_id"],
                "Code version": publication["code_version"],
                "Partition": publication["window"],
            },
        },
    }
    return view


def publish_lineage(
    client: SocrataClient,
    dataset: PublishedDataset,
    document: dict[str, Any],
) -> dict[str, str]:
    """Upload the document and point the dataset's metadata at it; the documents' URLs."""
    dataset_id = document["dataset"]["name"]
    html_id = client.upload_attachment(
        "lineage.html", lineage_html(document).encode("utf-8"), "text/html; charset=utf-8"
    )
    json_id = client.upload_attachment("lineage.json", document_bytes(document), "application/json")
    urls = {
        "html": client.attachment_url(dataset_id, html_id),
        "json": client.attachment_url(dataset_id, json_id),
    }
    client.put_view(dataset_id, provenance_view(dataset, document, urls["html"], urls["json"]))
    return urls


def now_utc() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
