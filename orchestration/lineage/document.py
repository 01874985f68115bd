"""A published dataset's lineage document: JSON for machines, a static HTML page for people.

The JSON follows OpenLineage's shape for a dataset with a column-lineage facet (each field's
`inputFields`, with their transformations), and adds what a stakeholder asks beside it: each
column's steps through the models and the rules they apply, the exclusion rules with the
rows each removed in the publishing run, the contract checks and their outcomes, and the run,
time and code version of the publication.
"""

from __future__ import annotations

import html
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from orchestration.catalog import PublishedDataset, Source
from orchestration.lineage.trace import ColumnTrace

PRODUCER = "https://github.com/civic-open-data/platform"
COLUMN_LINEAGE_SCHEMA = "https://openlineage.io/spec/facets/1-2-0/ColumnLineageDatasetFacet.json"
MASKING_HINTS = ("mask", "block", "generaliz", "coarsen")


@dataclass(frozen=True)
class CheckOutcome:
    name: str
    passed: bool
    severity: str
    description: str = ""


@dataclass
class Publication:
    """The run that published the dataset, and what it did."""

    dataset_id: str
    portal_url: str
    source_portal_url: str
    run_id: str
    published_at: str
    code_version: str
    window: str
    plan: Mapping[str, int] = field(default_factory=dict)
    rows_by_reason: Mapping[str, int] = field(default_factory=dict)
    rows_by_fate: Mapping[str, int] = field(default_factory=dict)
    checks: Sequence[CheckOutcome] = ()
    # The stewards' decisions about the dataset's source (stewards.corrections), each with
    # who, when, why and whether the build of this publication applied it.
    corrections: Sequence[Mapping[str, Any]] = ()


CORRECTION_FIELDS = (
    "code",
    "source_text",
    "public_text",
    "is_juvenile",
    "is_sensitive_location",
    "row_id",
    "duplicate_of",
    "decision",
)


def _correction_entry(decision: Mapping[str, Any]) -> dict[str, Any]:
    """One decision as the document names it: what, who, when (UTC), why, and its status."""
    recorded_at = decision["recorded_at"]
    return {
        "correction_id": decision["correction_id"],
        "kind": decision["kind"],
        "subject": decision["subject"],
        "steward": decision["steward"],
        "recorded_at": (
            recorded_at.isoformat() if hasattr(recorded_at, "isoformat") else str(recorded_at)
        ),
        "reason": decision["reason"],
        "status": decision.get("status", ""),
        "fields": {
            name: decision[name] for name in CORRECTION_FIELDS if decision.get(name) is not None
        },
    }


def _masks(trace: ColumnTrace) -> bool:
    words = [rule for step in trace.steps for rule in step.rules] + [s.model for s in trace.steps]
    return any(hint in word for word in words for hint in MASKING_HINTS)


def _column_entry(trace: ColumnTrace) -> dict[str, Any]:
    steps = list(reversed(trace.steps))  # from the source to the mart
    entry: dict[str, Any] = {
        "field": trace.field,
        "source_columns": trace.source_columns,
        "derived": trace.derived,
        "steps": [
            {
                "model": step.model,
                "column": step.column,
                "rules": list(step.rules),
                "description": step.description,
            }
            for step in steps
        ],
    }
    if trace.derived:
        entry["derived_from"] = trace.rule_tables or [
            f"{step.model}.{step.column}" for step in steps[:1]
        ]
    if trace.rule_tables:
        entry["rule_tables"] = trace.rule_tables
    if trace.unresolved:
        entry["unresolved"] = trace.unresolved
    return entry


def lineage_document(
    dataset: PublishedDataset,
    source: Source | None,
    traces: Sequence[ColumnTrace],
    publication: Publication,
    upstream: Source | None = None,
) -> dict[str, Any]:
    """The JSON document; `upstream` is the source a derived dataset is computed from."""
    origin = source or upstream
    input_name = origin.internal_dataset_id if origin else ""
    fields = {}
    for trace in traces:
        transformation = {
            "type": "DIRECT" if not trace.derived else "INDIRECT",
            "subtype": "TRANSFORMATION" if trace.steps else "IDENTITY",
            "description": " -> ".join(step.model for step in reversed(trace.steps)),
            "masking": _masks(trace),
        }
        fields[trace.field] = {
            "inputFields": [
                {
                    "namespace": publication.source_portal_url,
                    "name": input_name,
                    "field": column,
                    "transformations": [transformation],
                }
                for column in trace.source_columns
            ]
        }
    return {
        "producer": PRODUCER,
        "dataset": {
            "namespace": publication.portal_url,
            "name": publication.dataset_id,
            "title": dataset.title,
            "description": dataset.description,
            "row_identifier": dataset.row_identifier,
        },
        "source": {
            "namespace": publication.source_portal_url,
            "name": input_name,
            "title": origin.internal_dataset_name if origin else "",
            "via": None if source else (upstream.published.title if upstream else None),
        },
        "facets": {
            "columnLineage": {
                "_producer": PRODUCER,
                "_schemaURL": COLUMN_LINEAGE_SCHEMA,
                "fields": fields,
            }
        },
        "columns": [_column_entry(trace) for trace in traces],
        "exclusions": {
            "window": publication.window,
            "rows_by_reason": dict(publication.rows_by_reason),
            "rows_by_fate": dict(publication.rows_by_fate),
        },
        "checks": [
            {
                "name": check.name,
                "passed": check.passed,
                "severity": check.severity,
                "description": check.description,
            }
            for check in publication.checks
        ],
        "corrections": [_correction_entry(decision) for decision in publication.corrections],
        "publication": {
            "run_id": publication.run_id,
            "published_at": publication.published_at,
            "code_version": publication.code_version,
            "window": publication.window,
            "rows": dict(publication.plan),
        },
    }


def _e(value: object) -> str:
    return html.escape(str(value))


def lineage_html(document: Mapping[str, Any]) -> str:
    """The document as one self-contained static page (no scripts, no external assets)."""
    dataset, publication = document["dataset"], document["publication"]
    rows = []
    for column in document["columns"]:
        origin = ", ".join(column["source_columns"]) or "derived from " + ", ".join(
            column.get("derived_from", [])
        )
        steps = "<br>".join(
            f"<b>{_e(step['model'])}</b>.{_e(step['column'])}"
            + (f" <i>({_e(', '.join(step['rules']))})</i>" if step["rules"] else "")
            for step in column["steps"]
        )
        rows.append(
            f"<tr><td><code>{_e(column['field'])}</code></td><td>{_e(origin)}</td>"
            f"<td>{steps}</td></tr>"
        )
    exclusions = "".join(
        f"<tr><td>{_e(reason)}</td><td>{count:,}</td></tr>"
        for reason, count in sorted(document["exclusions"]["rows_by_reason"].items())
    )
    checks = "".join(
        f"<tr><td>{_e(check['name'])}</td><td>{'passed' if check['passed'] else 'FAILED'}</td>"
        f"<td>{_e(check['severity'])}</td></tr>"
        for check in document["checks"]
    )
    corrections = (
        "".join(
            f"<tr><td>{_e(c['recorded_at'])}</td><td>{_e(c['steward'])}</td>"
            f"<td>{_e(c['kind'])} <code>{_e(c['subject'])}</code><br>"
            + _e(", ".join(f"{name}: {value}" for name, value in c["fields"].items()))
            + f"</td><td>{_e(c['reason'])}</td><td>{_e(c['status'])}</td></tr>"
            for c in document.get("corrections", [])
        )
        or '<tr><td colspan="5">No steward has recorded a correction.</td></tr>'
    )
    models = {
        step["model"]: step["description"]
        for column in document["columns"]
        for step in column["steps"]
    }
    model_rows = "".join(
        f"<tr><td><b>{_e(name)}</b></td><td>{_e(text)}</td></tr>" for name, text in models.items()
    )
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>Lineage of {_e(dataset["title"])}</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2rem; max-width: 70rem; color: #1b1b1b; }}
table {{ border-collapse: collapse; width: 100%; margin-bottom: 2rem; }}
td, th {{ border: 1px solid #ccc; padding: .35rem .5rem; vertical-align: top; text-align: left; }}
th {{ background: #f0f0f0; }} code {{ font-size: .95em; }}
</style></head><body>
<h1>Where {_e(dataset["title"])} comes from</h1>
<p>{_e(dataset["description"])}</p>
<p>Dataset <code>{_e(dataset["name"])}</code> on {_e(dataset["namespace"])}, one row per
<code>{_e(dataset["row_identifier"])}</code>. Source: {_e(document["source"]["title"])}
(<code>{_e(document["source"]["name"])}</code>, internal).</p>
<p>Published {_e(publication["published_at"])} by run <code>{_e(publication["run_id"])}</code>
(code version {_e(publication["code_version"])}) for {_e(publication["window"])}.</p>
<h2>Columns</h2>
<table><tr><th>published column</th><th>source column(s)</th>
<th>steps, source to public (rules applied)</th></tr>
{"".join(rows)}</table>
<h2>Rows withheld in the publishing run, by rule</h2>
<table><tr><th>rule or reason</th><th>rows</th></tr>{exclusions}</table>
<h2>Contract checks of the publishing run</h2>
<table><tr><th>check</th><th>outcome</th><th>severity</th></tr>{checks}</table>
<h2>Stewards' corrections</h2>
<p>Decisions the data stewards recorded (<code>stewards.corrections</code>), read beside the
rule tables: who decided, when (UTC), what and why.</p>
<table><tr><th>recorded</th><th>steward</th><th>decision</th><th>reason</th><th>status</th></tr>
{corrections}</table>
<h2>The models</h2>
<table><tr><th>model</th><th>what it does</th></tr>{model_rows}</table>
<p>Machine-readable: the JSON document beside this page (OpenLineage column-lineage facet).</p>
</body></html>
"""


def document_bytes(document: Mapping[str, Any]) -> bytes:
    return json.dumps(document, indent=2, sort_keys=False).encode("utf-8")
