"""Creating the public datasets, and making their columns equal to the marts', on purpose.

Socrata creates a dataset and changes its columns only through the Dataset Management API's
revision flow (../shared/socrata: publishers_dsmapi.md, apis_publishing.json): open a
revision, add an upload source holding the columns' header row, give it an output schema
that types every column and marks the row identifier, apply the revision. A night's publish
never does this: it checks the dataset (`schema.mismatch_error`) and stops when the columns
differ. This module is the deliberate operation a data engineer runs once per dataset (the
`provision_public_datasets` job or `python -m orchestration.publishing.provision`), and again
after a change of a mart's public columns. It is idempotent: a dataset whose columns already
match is left alone, and nothing is created twice for a configured id that exists.

Socrata assigns a new dataset's id; the command prints the setting that names it
(`PUBLIC_SOCRATA_DATASET_IDS`).
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field

from orchestration.catalog import PUBLISHED_DATASETS, PublishedDataset
from orchestration.publishing.schema import schema_differences
from orchestration.socrata.client import SocrataClient
from orchestration.socrata.resource import format_dataset_ids, parse_dataset_ids

# The DSMAPI transform that gives an output column each Socrata data type.
TRANSFORMS = {
    "text": "to_text",
    "number": "to_number",
    "calendar_date": "to_floating_timestamp",
    "point": "to_point",
    "location": "to_location",
    "checkbox": "to_boolean",
}


@dataclass(frozen=True)
class Provisioned:
    """What provisioning did (or, in a dry run, would do) to one public dataset."""

    dataset: str
    dataset_id: str | None
    action: str  # "unchanged", "created", "columns changed", "would create", "would change"
    differences: list[str] = field(default_factory=list)


def creation_metadata(dataset: PublishedDataset) -> dict[str, str]:
    """The metadata a new dataset starts with; later publishes own only some of it."""
    return {
        "name": dataset.title,
        "description": dataset.description,
        "attribution": dataset.attribution,
        "category": dataset.category,
    }


def header_csv(dataset: PublishedDataset) -> bytes:
    """The upload that declares the columns: their field names, no rows."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(dataset.public_field_names)
    return buffer.getvalue().encode()


def output_columns(dataset: PublishedDataset, input_columns: Iterable[dict]) -> list[dict]:
    """The output schema: each public column typed, named, described; the row identifier."""
    by_field = {column["field_name"]: column for column in input_columns}
    columns = []
    for position, column in enumerate(dataset.public_columns, start=1):
        if column.field_name not in by_field:
            raise ValueError(f"the portal parsed no input column {column.field_name}")
        columns.append(
            {
                "field_name": column.field_name,
                "display_name": column.display_name,
                "description": column.description,
                "position": position,
                "is_primary_key": column.field_name == dataset.row_identifier,
                "transform": {
                    "transform_expr": f"{TRANSFORMS[column.data_type]}(`{column.field_name}`)"
                },
            }
        )
    return columns


def apply_columns(client: SocrataClient, dataset: PublishedDataset, dataset_id: str | None) -> str:
    """One revision that creates the dataset (`dataset_id` None) or sets its columns; its id."""
    revision = client.open_revision(
        dataset_id, metadata=creation_metadata(dataset) if dataset_id is None else None
    )
    fourfour, seq = revision["fourfour"], revision["revision_seq"]
    source = client.add_upload_source(fourfour, seq, f"{dataset.name}-columns.csv")
    source = client.upload_source_csv(source["id"], header_csv(dataset))
    input_schema = source["schemas"][0]
    schema = client.add_output_schema(
        source["id"], input_schema["id"], output_columns(dataset, input_schema["input_columns"])
    )
    client.apply_revision(fourfour, seq, schema["id"])
    return fourfour


def provision(
    client: SocrataClient, dataset: PublishedDataset, dataset_id: str | None, *, dry_run: bool
) -> Provisioned:
    """Make one public dataset exist with the mart's columns (or say what that would do)."""
    view = client.get_view(dataset_id) if dataset_id else None
    if view is None:
        if dry_run:
            return Provisioned(dataset.name, dataset_id, "would create")
        return Provisioned(dataset.name, apply_columns(client, dataset, None), "created")
    differences = schema_differences(view, dataset)
    if not differences:
        return Provisioned(dataset.name, dataset_id, "unchanged")
    if dry_run:
        return Provisioned(dataset.name, dataset_id, "would change", differences)
    apply_columns(client, dataset, dataset_id)
    return Provisioned(dataset.name, dataset_id, "columns changed", differences)


def provision_all(
    client: SocrataClient,
    datasets: Iterable[PublishedDataset],
    configured: dict[str, str],
    *,
    dry_run: bool = False,
) -> list[Provisioned]:
    """`provision` of each dataset, by its configured id (the catalog's when none is set)."""
    return [
        provision(
            client,
            dataset,
            configured.get(dataset.name, dataset.public_dataset_id),
            dry_run=dry_run,
        )
        for dataset in datasets
    ]


def report_lines(outcomes: list[Provisioned]) -> list[str]:
    lines = []
    for outcome in outcomes:
        line = f"{outcome.dataset}: {outcome.action} ({outcome.dataset_id or 'new id'})"
        lines.append(line + "".join(f"\n  - {d}" for d in outcome.differences))
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m orchestration.publishing.provision",
        description=(
            "Create the public datasets on the public portal (PUBLIC_SOCRATA_* settings) "
            "through the Dataset Management API, or make their columns equal to the marts'."
        ),
    )
    parser.add_argument("--dataset", action="append", help="only this public dataset")
    parser.add_argument("--dry-run", action="store_true", help="say what would change")
    args = parser.parse_args(argv)
    configured = parse_dataset_ids(os.environ.get("PUBLIC_SOCRATA_DATASET_IDS", ""))
    datasets = [d for d in PUBLISHED_DATASETS if not args.dataset or d.name in args.dataset]
    unknown = set(args.dataset or ()) - {d.name for d in datasets}
    if unknown:
        parser.error(f"no public dataset named {', '.join(sorted(unknown))}")
    with SocrataClient(
        os.environ["PUBLIC_SOCRATA_DOMAIN"],
        app_token=os.environ.get("PUBLIC_SOCRATA_APP_TOKEN"),
        username=os.environ.get("PUBLIC_SOCRATA_USERNAME"),
        password=os.environ.get("PUBLIC_SOCRATA_PASSWORD"),
    ) as client:
        outcomes = provision_all(client, datasets, configured, dry_run=args.dry_run)
    print("\n".join(report_lines(outcomes)))
    ids = {**configured, **{o.dataset: o.dataset_id for o in outcomes if o.dataset_id}}
    print(f"PUBLIC_SOCRATA_DATASET_IDS={format_dataset_ids(ids)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
