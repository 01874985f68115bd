"""The Dagster resource that hands out a SocrataClient for one portal.

Two instances exist in the definitions: the internal source portal and the public target
portal. Domain, app token and credentials come from the environment through EnvVar, so the
UI shows which variable configures a secret and never its value.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import dagster as dg
from pydantic import Field

from orchestration.socrata.client import CSV_PAGE_SIZE, SocrataClient


def parse_dataset_ids(text: str) -> dict[str, str]:
    """`name=id,name=id` (the `*_SOCRATA_DATASET_IDS` setting) as a mapping."""
    ids = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        name, separator, dataset_id = item.partition("=")
        if not separator or not name.strip() or not dataset_id.strip():
            raise ValueError(f"expected name=dataset-id in the dataset ids, got {item!r}")
        ids[name.strip()] = dataset_id.strip()
    return ids


def format_dataset_ids(ids: dict[str, str]) -> str:
    return ",".join(f"{name}={dataset_id}" for name, dataset_id in sorted(ids.items()))


class SocrataResource(dg.ConfigurableResource):
    """One Socrata domain (the city's portal, or the local portal on loopback)."""

    domain: str = Field(description="host[:port]; loopback hosts are spoken to over HTTP.")
    app_token: str = Field(default="", description="Socrata app token (X-App-Token).")
    username: str = Field(default="", description="Account for writes and private datasets.")
    password: str = Field(default="", description="Password of that account.")
    timeout_s: float = Field(default=30.0, description="Seconds a read may wait for an answer.")
    write_timeout_s: float = Field(
        default=120.0, description="Seconds an upsert or replace of a chunk may take."
    )
    bulk_read_timeout_s: float = Field(
        default=300.0,
        description="Seconds a CSV read of a whole page (up to page_size rows) may wait.",
    )
    max_retries: int = Field(default=5, description="Retries on 429, 5xx and timeouts.")
    backoff_s: float = Field(default=0.5, description="Backoff factor between retries.")
    page_size: int = Field(
        default=CSV_PAGE_SIZE,
        description="Rows per CSV request on bulk reads (SODA 2.1 endpoints have no cap).",
    )
    dataset_ids: str = Field(
        default="",
        description=(
            "name=id,name=id: the id of each dataset on this portal where it differs from "
            "the catalog's (Socrata assigns a new dataset's id; the provisioning job prints it)."
        ),
    )

    def configured_ids(self) -> dict[str, str]:
        return parse_dataset_ids(self.dataset_ids)

    def dataset_id(self, name: str, catalog_default: str) -> str:
        return self.configured_ids().get(name, catalog_default)

    @contextmanager
    def open(self) -> Iterator[SocrataClient]:
        client = SocrataClient(
            self.domain,
            app_token=self.app_token,
            username=self.username,
            password=self.password,
            timeout_s=self.timeout_s,
            write_timeout_s=self.write_timeout_s,
            bulk_read_timeout_s=self.bulk_read_timeout_s,
            max_retries=self.max_retries,
            backoff_s=self.backoff_s,
        )
        try:
            yield client
        finally:
            client.close()
