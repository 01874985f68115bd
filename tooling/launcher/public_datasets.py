"""The local public portal's datasets, created as a city creates its own, once.

A real domain assigns a new dataset's id, so the embedded default does what a data engineer
does before the first night: it runs the platform's provisioning (the Dataset Management API
revision flow, `orchestration.publishing.provision`) against the local public portal and
keeps the ids it got in `<data dir>/public_dataset_ids`, the `PUBLIC_SOCRATA_DATASET_IDS`
setting the Dagster resources read. The next start finds them and changes nothing.
"""

from __future__ import annotations

from pathlib import Path

from orchestration.catalog import PUBLISHED_DATASETS
from orchestration.publishing.provision import provision_all
from orchestration.socrata.client import SocrataClient
from orchestration.socrata.resource import format_dataset_ids, parse_dataset_ids

IDS_FILE = "public_dataset_ids"


def provisioned_ids(data_root: Path, domain: str, username: str, password: str) -> dict[str, str]:
    """Each public dataset's id on the local public portal, creating the missing ones."""
    ids_file = data_root / IDS_FILE
    configured = parse_dataset_ids(ids_file.read_text()) if ids_file.exists() else {}
    with SocrataClient(domain, username=username, password=password) as client:
        outcomes = provision_all(client, PUBLISHED_DATASETS, configured)
    for outcome in outcomes:
        if outcome.action != "unchanged":
            print(f"public dataset {outcome.dataset}: {outcome.action} ({outcome.dataset_id})")
    ids = {outcome.dataset: str(outcome.dataset_id) for outcome in outcomes}
    ids_file.write_text(format_dataset_ids(ids) + "\n")
    return ids
