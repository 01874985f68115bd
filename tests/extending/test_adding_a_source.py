"""Adding a source is a catalog entry, its dbt models and its contract: nothing else.

The test registers a small fourth source (the stop-and-search field interviews) in a copy of
the dbt project, builds the definitions from the extended catalog, and materializes it from
an internal dataset to a public one.
"""

from __future__ import annotations

import csv
import json
import shutil
from datetime import date
from pathlib import Path

import dagster as dg
import duckdb
import pytest
import yaml
from dagster_dbt import DbtProject

from orchestration.catalog import PUBLIC_SAFETY, PublishedDataset, Source, moment, text
from orchestration.definitions import build_definitions
from orchestration.defs.quality import build_contract_check
from orchestration.ingest.loader import ensure_raw_table
from orchestration.socrata.client import SocrataClient
from orchestration.socrata.resource import SocrataResource
from orchestration.transform.parse_project import parse_project
from orchestration.transform.project import DBT_PROJECT_DIR
from orchestration.warehouse.resource import WarehouseResource
from tests.public_datasets import seed_public_datasets
from tests.retries import QUICK_PORTAL_RETRIES
from tests.warehouse_builder import RAW_FIELDS
from tooling.local_portal.server import serve_in_thread

pytestmark = pytest.mark.integration

DAY = date(2026, 11, 2)

STOP_AND_SEARCH = Source(
    name="stop_and_search",
    title="Stop and Search (Field Interviews)",
    internal_dataset_id="nopd-sas1",
    internal_dataset_name="NOPD field interviews (internal export)",
    day_field="eventdate",
    published=PublishedDataset(
        name="stop_and_search",
        title="Stop and Search (Field Interviews)",
        description="Field interviews by NOPD officers, one row per subject; no subject names.",
        attribution="New Orleans Police Department (NOPD)",
        category=PUBLIC_SAFETY,
        public_dataset_id="nopd-sasp",
        row_identifier="subject_interview_id",
        day_field="eventdate",
        public_columns=(
            text("subject_interview_id", "Subject interview id", "Interview and subject."),
            moment("eventdate", "EventDate", "When the interview took place."),
            text("district", "District", "NOPD district."),
            text("stopdescription", "StopDescription", "Why the person was stopped."),
        ),
    ),
)

INTERNAL_ROWS = [
    ["17416", "1", "2026-11-02T01:11:00.000", "6", "TRAFFIC VIOLATION", "Jane Roe"],
    ["17416", "2", "2026-11-02T01:11:00.000", "6", "TRAFFIC VIOLATION", "John Roe"],
    ["17417", "1", "2026-11-02T09:30:00.000", "2", "CALL FOR SERVICE", "Ann Poe"],
]
FIELDS = ["fieldinterviewid", "subjectid", "eventdate", "district", "stopdescription", "name"]

STAGING = """
select
    _source_row_id as source_row_id,
    _partition_date as partition_date,
    _load_run_id as load_run_id,
    fieldinterviewid || '-' || subjectid as subject_interview_id,
    {{ parse_floating_timestamp('eventdate') }} as event_at,
    district,
    stopdescription
from {{ source('raw', 'stop_and_search') }}
"""
MART = """
{{ config(pre_hook="{{ delete_partition_window('cast(eventdate as date)') }}") }}
select subject_interview_id, event_at as eventdate, district, stopdescription
from {{ ref('stg_stop_and_search') }}
where {{ in_partition_window('partition_date') }}
"""
FATES = """
{{ config(pre_hook="{{ delete_partition_window('partition_date') }}") }}
select partition_date, source_row_id, 'published' as fate, null as fate_reason, load_run_id
from {{ ref('stg_stop_and_search') }}
where {{ in_partition_window('partition_date') }}
"""
CONTRACT = """
dataset: warehouse/marts/stop_and_search
variables:
  WINDOW_START: {default: "2011-01-01"}
  WINDOW_END: {default: "2100-01-01"}
filter: eventdate >= DATE '${var.WINDOW_START}' and eventdate < DATE '${var.WINDOW_END}'
columns:
  - name: subject_interview_id
    checks:
      - missing:
      - duplicate:
  - name: eventdate
  - name: district
  - name: stopdescription
checks:
  - schema:
"""


def extended_dbt_project(root: Path) -> DbtProject:
    """A copy of the project with the new source's models: what a city engineer would add."""
    project_dir = root / "dbt_project"
    shutil.copytree(DBT_PROJECT_DIR, project_dir, ignore=shutil.ignore_patterns("target", "logs"))
    sources_file = project_dir / "models" / "staging" / "_sources.yml"
    sources = yaml.safe_load(sources_file.read_text())
    sources["sources"][0]["tables"].append(
        {
            "name": "stop_and_search",
            "meta": {"dagster": {"asset_key": ["raw_stop_and_search"]}},
        }
    )
    sources_file.write_text(yaml.safe_dump(sources, sort_keys=False))
    models = project_dir / "models"
    (models / "staging" / "stg_stop_and_search.sql").write_text(STAGING)
    (models / "marts" / "stop_and_search.sql").write_text(MART)
    (models / "audit" / "audit_stop_and_search_row_fates.sql").write_text(FATES)
    parse_project(project_dir, warehouse_path=str(root / "warehouse.duckdb"))
    return DbtProject(project_dir=project_dir, profiles_dir=project_dir)


def write_internal_dataset(directory: Path) -> None:
    directory.mkdir(parents=True)
    with (directory / "nopd-sas1.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(FIELDS)
        writer.writerows(INTERNAL_ROWS)
    columns = [
        {"fieldName": field, "dataTypeName": "calendar_date" if field == "eventdate" else "text"}
        for field in FIELDS
    ]
    (directory / "nopd-sas1.meta.json").write_text(json.dumps({"columns": columns}))


def test_a_source_registered_in_the_catalog_is_published(tmp_path, monkeypatch):
    project = extended_dbt_project(tmp_path)
    warehouse = tmp_path / "warehouse.duckdb"
    monkeypatch.setenv("WAREHOUSE_PATH", str(warehouse))
    connection = duckdb.connect(str(warehouse))
    for name, fields in RAW_FIELDS.items():  # the other sources have not been loaded yet
        ensure_raw_table(connection, f"raw.{name}", fields)
    connection.close()
    write_internal_dataset(tmp_path / "internal")
    contract = tmp_path / "stop_and_search.yml"
    contract.write_text(CONTRACT)

    with (
        serve_in_thread(tmp_path / "internal") as source_portal,
        serve_in_thread(tmp_path / "public", username="u", password="p") as public_portal,
    ):
        seed_public_datasets(public_portal.url, [STOP_AND_SEARCH.published])
        definitions = build_definitions(
            {
                "warehouse": WarehouseResource(path=str(warehouse)),
                "source_portal": SocrataResource(domain=f"127.0.0.1:{source_portal.port}"),
                "public_portal": SocrataResource(
                    domain=f"127.0.0.1:{public_portal.port}", username="u", password="p"
                ),
            },
            sources=(STOP_AND_SEARCH,),
            derived=(),
            project=project,
            asset_checks=[
                build_contract_check(STOP_AND_SEARCH.published, contract, (STOP_AND_SEARCH,))
            ],
            portal_retry_policy=QUICK_PORTAL_RETRIES,
        )
        job = definitions.resolve_job_def("daily_publish")
        result = job.execute_in_process(
            partition_key=DAY.isoformat(), instance=dg.DagsterInstance.get()
        )
        assert result.success
        with SocrataClient(f"127.0.0.1:{public_portal.port}") as client:
            rows = client.get("nopd-sasp", order="subject_interview_id")

    assert [row["subject_interview_id"] for row in rows] == ["17416-1", "17416-2", "17417-1"]
    assert all("name" not in row and "Roe" not in json.dumps(row) for row in rows)
