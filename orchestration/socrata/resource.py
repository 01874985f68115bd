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


class SocrataResource(dg.ConfigurableResource):
    """One Socrata domain (the city's portal, or the local portal on loopback)."""

    domain: str = Field(description="host[:port]; loopback hosts are spoken to over HTTP.")
    app_token: str = Field(default="", description="Socrata app token (X-App-Token).")
    username: str = Field(default="", description="Account for writes and private datasets.")
    password: str = Field(default="", description="Password of that account.")
    timeout_s: float = Field(default=30.0, description="Per-request timeout in seconds.")
    max_retries: int = Field(default=5, description="Retries on 429, 5xx and timeouts.")
    backoff_s: float = Field(default=0.5, description="Backoff factor between retries.")
    page_size: int = Field(
        default=CSV_PAGE_SIZE,
        description="Rows per CSV request on bulk reads (SODA 2.1 endpoints have no cap).",
    )
    dataset_ids: dict[str, str] = Field(
        default_factory=dict,
        description="Dataset id per source name on this portal, where it differs from the catalog.",
    )

    def dataset_id(self, source_name: str, catalog_default: str) -> str:
        return self.dataset_ids.get(source_name, catalog_default)

    @contextmanager
    def open(self) -> Iterator[SocrataClient]:
        client = SocrataClient(
            self.domain,
            app_token=self.app_token,
            username=self.username,
            password=self.password,
            timeout_s=self.timeout_s,
            max_retries=self.max_retries,
            backoff_s=self.backoff_s,
        )
        try:
            yield client
        finally:
            client.close()
