"""The check before the first night: what would stop a publish, found without writing.

Against the configured portals it reports, per check: whether the credentials authenticate
(`/api/users/current.json`, ../shared/socrata/docs/docs_authentication.md); whether each
source dataset exists with the columns the models read (`ingest.source_layout`); whether
each public dataset exists with the mart's columns, types and row identifier
(`publishing.schema`); and what a publish would change in each public dataset's metadata,
as the portal itself validates it (Metadata API `PATCH ?validateOnly=true`, which changes
nothing). Every request it makes is a read or a validation.

Run it as `python -m orchestration.publishing.preflight` (exit 1 when anything fails) or as
the `preflight_check` job.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from orchestration.catalog import PUBLISHED_DATASETS, SOURCES, PublishedDataset, Source
from orchestration.ingest.source_layout import SourceSchemaError, check_source_dataset
from orchestration.lineage.provenance import PROVENANCE_FIELDSET, PROVENANCE_KEYS, owned_metadata
from orchestration.publishing.schema import mismatch_error
from orchestration.socrata.client import SocrataClient, SocrataError
from orchestration.socrata.resource import parse_dataset_ids

SET_BY_EACH_PUBLISH = "(set by each publish)"


@dataclass(frozen=True)
class Finding:
    """One check's outcome: what was checked, whether it passed, and what was found."""

    check: str
    subject: str
    ok: bool
    detail: str

    def line(self) -> str:
        return f"{'ok  ' if self.ok else 'FAIL'} {self.check}: {self.subject}: {self.detail}"


def check_credentials(client: SocrataClient, portal: str, *, needs_write: bool) -> Finding:
    if not needs_write and not client.has_credentials:
        return Finding("credentials", portal, True, "reads without credentials (public data)")
    try:
        user = client.current_user()
    except SocrataError as error:
        return Finding("credentials", portal, False, str(error))
    name = user.get("displayName") or user.get("screenName") or user.get("id") or "?"
    return Finding("credentials", portal, True, f"authenticated as {name}")


def check_sources(
    client: SocrataClient, sources: Iterable[Source], ids: Mapping[str, str]
) -> list[Finding]:
    findings = []
    for source in sources:
        dataset_id = ids.get(source.name, source.internal_dataset_id)
        try:
            layout = check_source_dataset(client, source, dataset_id)
        except (SourceSchemaError, SocrataError) as error:
            findings.append(Finding("source columns", dataset_id, False, str(error)))
            continue
        renamed = ", ".join(f"{new} as {old}" for new, old in layout.aliases_used.items())
        detail = f"{len(layout.fields)} columns, every one the models read is there"
        findings.append(
            Finding(
                "source columns", dataset_id, True, detail + (f" ({renamed})" if renamed else "")
            )
        )
    return findings


def metadata_changes(current: Mapping[str, object], owned: Mapping[str, object]) -> list[str]:
    """In words, what a publish's metadata merge would change of the current metadata."""
    changes = [
        f"sets its {key}"
        for key in ("description", "attribution")
        if current.get(key) != owned[key]
    ]
    fieldsets = current.get("customFields") or {}
    if PROVENANCE_FIELDSET not in fieldsets:  # type: ignore[operator]
        changes.append(f"adds its {PROVENANCE_FIELDSET} fieldset ({len(PROVENANCE_KEYS)} fields)")
    else:
        changes.append(f"updates its {PROVENANCE_FIELDSET} fieldset")
    return changes


def check_public(
    client: SocrataClient, datasets: Iterable[PublishedDataset], ids: Mapping[str, str]
) -> list[Finding]:
    findings = []
    for dataset in datasets:
        dataset_id = ids.get(dataset.name, dataset.public_dataset_id)
        error = mismatch_error(dataset, dataset_id, client.get_view(dataset_id))
        if error is not None:
            findings.append(Finding("public columns", dataset_id, False, str(error)))
            continue
        findings.append(
            Finding("public columns", dataset_id, True, "columns, types and row identifier match")
        )
        owned = owned_metadata(dataset, dict.fromkeys(PROVENANCE_KEYS, SET_BY_EACH_PUBLISH))
        try:
            answer = client.patch_metadata(dataset_id, owned, validate_only=True)
            current = client.get_metadata(dataset_id) or {}
        except SocrataError as refused:
            findings.append(Finding("metadata", dataset_id, False, str(refused)))
            continue
        problems = [
            f"{kind}: {item.get('field', '?')}: {item.get('message', item)}"
            if isinstance(item, dict)
            else f"{kind}: {item}"
            for kind in ("errors", "warnings")
            for item in answer.get(kind) or []
        ]
        ok = not answer.get("errors")
        detail = "a publish " + "; ".join(metadata_changes(current, owned))
        findings.append(Finding("metadata", dataset_id, ok, "; ".join([detail, *problems])))
    return findings


def preflight(
    source: SocrataClient,
    public: SocrataClient,
    *,
    source_ids: Mapping[str, str],
    public_ids: Mapping[str, str],
    sources: Iterable[Source] = SOURCES,
    datasets: Iterable[PublishedDataset] = PUBLISHED_DATASETS,
) -> list[Finding]:
    return [
        check_credentials(source, f"source portal {source.domain}", needs_write=False),
        check_credentials(public, f"public portal {public.domain}", needs_write=True),
        *check_sources(source, sources, source_ids),
        *check_public(public, datasets, public_ids),
    ]


def client_from_environment(prefix: str) -> SocrataClient:
    return SocrataClient(
        os.environ[f"{prefix}_SOCRATA_DOMAIN"],
        app_token=os.environ.get(f"{prefix}_SOCRATA_APP_TOKEN"),
        username=os.environ.get(f"{prefix}_SOCRATA_USERNAME"),
        password=os.environ.get(f"{prefix}_SOCRATA_PASSWORD"),
    )


def main(argv: list[str] | None = None) -> int:
    argparse.ArgumentParser(
        prog="python -m orchestration.publishing.preflight",
        description=(
            "Check the configured portals (SOURCE_SOCRATA_* and PUBLIC_SOCRATA_* settings) "
            "before the first night, without writing anything."
        ),
    ).parse_args(argv)
    with client_from_environment("SOURCE") as source, client_from_environment("PUBLIC") as public:
        findings = preflight(
            source,
            public,
            source_ids=parse_dataset_ids(os.environ.get("SOURCE_SOCRATA_DATASET_IDS", "")),
            public_ids=parse_dataset_ids(os.environ.get("PUBLIC_SOCRATA_DATASET_IDS", "")),
        )
    print("\n".join(finding.line() for finding in findings))
    return 0 if all(finding.ok for finding in findings) else 1


if __name__ == "__main__":
    sys.exit(main())
