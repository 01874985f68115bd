"""Building a throwaway warehouse from hand-written raw rows, with the real dbt project.

Each privacy and cleaning rule is specified by a few raw rows that exercise it; the models
run through `dbt build` exactly as the pipeline runs them.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import duckdb

from orchestration.catalog import CALLS_FOR_SERVICE, privacy_vars
from orchestration.ingest.loader import ensure_raw_table
from orchestration.partitions import DayWindow
from orchestration.transform.invocation import dbt_build_args, dbt_environment
from orchestration.warehouse.sql import quote_identifier

REPO_ROOT = Path(__file__).resolve().parent.parent
INTERNAL_FIELDS = [
    "nopd_item", "type", "typetext", "priority", "initialtype", "initialtypetext",
    "initialpriority", "timecreate", "timedispatch", "timearrive", "timeclosed", "disposition",
    "dispositiontext", "selfinitiated", "beat", "address", "zip", "policedistrict", "latitude",
    "longitude", "caller_name", "caller_phone", "narrative",
]  # fmt: skip

UOF_FIELDS = [
    "pib_file_number", "date_occurred", "originating_bureau", "division_level", "division",
    "unit", "working_status", "shift", "investigation_status", "disposition", "service_type",
    "light_condition", "weather_condition", "use_of_force_type", "use_of_force_level",
    "subject_influencing_factors", "use_of_force_effective", "officer_race_ethnicity",
    "officer_gender", "officer_age", "officer_years_of_service", "distance_between",
    "subject_gender", "subject_ethnicity", "subject_age", "subject_build", "subject_height",
    "subject_injured", "subject_hospitalized", "subject_arrested", "subject_arrest_charges",
    "use_of_force_reason", "officer_injured", "officer_name", "officer_badge_number",
    "subject_name", "subject_date_of_birth", "incident_address", "narrative",
]  # fmt: skip

SERVICE_REQUEST_FIELDS = [
    "service_request", "request_type", "request_reason", "date_created", "date_modified",
    "case_close_date", "request_status", "responsible_agency", "final_address",
    "address_councildis", "final_x", "final_y", "latitude", "longitude", "status",
    "contractor", "contractor_action", "rowid", "requester_name", "requester_phone",
    "requester_email",
]  # fmt: skip

RAW_FIELDS = {
    "calls_for_service": INTERNAL_FIELDS,
    "use_of_force": UOF_FIELDS,
    "service_requests_311": SERVICE_REQUEST_FIELDS,
}

BASE_ROW = {
    "type": "21",
    "typetext": "COMPLAINT OTHER",
    "priority": "1J",
    "initialtype": "21",
    "initialtypetext": "COMPLAINT OTHER",
    "initialpriority": "1J",
    "timecreate": "2022-01-01T08:50:00.000",
    "timedispatch": "2022-01-01T09:24:00.000",
    "timearrive": "2022-01-01T09:33:00.000",
    "timeclosed": "2022-01-01T09:49:00.000",
    "disposition": "NAT",
    "dispositiontext": "Necessary Action Taken",
    "selfinitiated": "N",
    "beat": "4C02",
    "address": "4012 General De Gaulle Dr",
    "zip": "70114",
    "policedistrict": "4",
    "latitude": "29.92084957",
    "longitude": "-90.01455299",
    "caller_name": "Marie Boudreaux",
    "caller_phone": "(504) 555-0134",
    "narrative": "Caller Marie Boudreaux reports a dispute at 4012 General De Gaulle Dr.",
}


def raw_row(nopd_item: str | None, updated_at: str = "2022-01-02T06:00:00.000Z", **fields):
    row = {**BASE_ROW, "nopd_item": nopd_item, **fields}
    row["_source_updated_at"] = updated_at
    return row


def write_raw_rows(
    warehouse: Path,
    rows: list[dict],
    partition: date,
    *,
    table: str = CALLS_FOR_SERVICE.raw_table,
    fields: list[str] = INTERNAL_FIELDS,
) -> None:
    """Rows as the raw loader would have written them for `partition`."""
    connection = duckdb.connect(str(warehouse))
    try:
        for name, source_fields in RAW_FIELDS.items():
            ensure_raw_table(connection, f"raw.{name}", source_fields)
        ensure_raw_table(connection, table, fields)
        connection.execute(f"delete from {table} where _partition_date = ?", [partition])
        columns = [*fields, "_source_updated_at"]
        targets = ", ".join(quote_identifier(c) for c in columns)
        for index, row in enumerate(rows):
            connection.execute(
                f"insert into {table} "
                f"({targets}, _source_row_id, _partition_date, "
                "_load_run_id, _loaded_at, _source_dataset_id) "
                f"values ({', '.join('?' for _ in columns)}, ?, ?, 'test-run', now(), 'opcd-cfs1')",
                [row.get(column) for column in columns]
                + [f"row-{table}-{partition.isoformat()}-{index:04d}", partition],
            )
    finally:
        connection.close()


def dbt_build(
    warehouse: Path,
    start: date,
    end: date,
    *,
    command: str = "build",
    select: str | None = None,
    **extra_vars,
) -> subprocess.CompletedProcess:
    """`dbt build` (or `command`, e.g. `test`) of the window [start, end) into `warehouse`,
    invoked as the asset invokes it; `extra_vars` replace a source's privacy parameters,
    `select` narrows it to dbt's selection."""
    env = {
        **os.environ,
        "WAREHOUSE_PATH": str(warehouse),
        "DO_NOT_TRACK": "1",
        **dbt_environment(DayWindow(start, end)),
    }
    target = warehouse.parent / "dbt_target"
    return subprocess.run(
        [
            str(Path(sys.executable).with_name("dbt")),
            *dbt_build_args({**privacy_vars(), **extra_vars}, command),
            *(["--select", select] if select else []),
            "--profiles-dir",
            ".",
            "--target-path",
            str(target),
            "--log-path",
            str(target),
        ],
        cwd=REPO_ROOT / "dbt_project",
        env=env,
        capture_output=True,
        text=True,
    )


def query(warehouse: Path, sql: str, parameters: list | None = None) -> list[tuple]:
    connection = duckdb.connect(str(warehouse), read_only=True)
    try:
        return connection.execute(sql, parameters or []).fetchall()
    finally:
        connection.close()


def contract_failures(warehouse: Path, name: str, start: date, end: date, **variables) -> set[str]:
    """Names of the failed checks of mart `name`'s contract over [start, end)."""
    from orchestration.catalog import source_of
    from orchestration.quality.soda import contract_path, verify

    source = source_of(name)
    parameters = {k.upper(): str(v) for k, v in (source.privacy if source else {}).items()}
    parameters.update({k.upper(): str(v) for k, v in variables.items()})
    parameters.update(WINDOW_START=start.isoformat(), WINDOW_END=end.isoformat())
    connection = duckdb.connect(str(warehouse), read_only=True)
    try:
        outcome = verify(connection, contract_path(name), parameters)
    finally:
        connection.close()
    assert not outcome.errors, outcome.errors
    return {check.name for check in outcome.failed_checks}
