"""Recording decisions: from the launchpad's run config and from a CSV batch, all or none."""

from __future__ import annotations

import csv
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from orchestration.corrections.table import TABLE, decisions_of
from orchestration.defs.corrections import (
    CORRECTIONS_ASSET_KEY,
    import_corrections_job,
    record_correction_job,
)
from orchestration.warehouse.resource import WarehouseResource

HEADER = [
    "steward", "reason", "kind", "dataset", "code", "source_text", "public_text",
    "is_juvenile", "is_sensitive_location", "row_id", "duplicate_of", "decision",
]  # fmt: skip
NEW_CODE = ["m.landry", "a new CAD signal", "new_code", "calls_for_service", "24q", "",
            "SUSPICIOUS PACKAGE", "false", "false", "", "", ""]  # fmt: skip
ITS_TEXT = ["m.landry", "spelling reviewed", "canonical_text", "calls_for_service", "24Q",
            "SUSPICOUS PKG", "SUSPICIOUS PACKAGE", "", "", "", "", ""]  # fmt: skip
WITHHOLD = ["j.batiste", "victim's request, DA's office", "withheld_row", "calls_for_service",
            "", "", "", "", "", "A1234522", "", ""]  # fmt: skip


def write_csv(path: Path, rows: list[list[str]], header: list[str] = HEADER) -> Path:
    with path.open("w", newline="") as handle:
        csv.writer(handle).writerows([header, *rows])
    return path


def run(job, warehouse: Path, config: dict) -> dg.ExecuteInProcessResult:
    op = next(iter(job.graph.node_dict))
    return job.execute_in_process(
        run_config={"ops": {op: {"config": config}}},
        resources={"warehouse": WarehouseResource(path=str(warehouse))},
        instance=dg.DagsterInstance.ephemeral(),
        raise_on_error=False,
    )


def recorded(warehouse: Path) -> list[dict]:
    if not warehouse.exists():
        return []
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        return decisions_of(connection, "calls_for_service")


def failure_message(result: dg.ExecuteInProcessResult) -> str:
    [failure] = [event for event in result.all_events if event.is_step_failure]
    return failure.step_failure_data.user_failure_data.description


def test_the_launchpad_decision_is_recorded_with_who_when_and_why(tmp_path):
    warehouse = tmp_path / "warehouse.duckdb"
    config = dict(zip(HEADER, WITHHOLD, strict=True)) | {"is_juvenile": None}
    config = {key: value for key, value in config.items() if value not in ("", None)}
    result = run(record_correction_job, warehouse, config)
    assert result.success
    [decision] = recorded(warehouse)
    assert (decision["steward"], decision["reason"], decision["row_id"]) == (
        "j.batiste",
        "victim's request, DA's office",
        "A1234522",
    )
    assert decision["recorded_at"].utcoffset().total_seconds() == 0
    [materialization] = result.asset_materializations_for_node("record_decision")
    assert materialization.asset_key == CORRECTIONS_ASSET_KEY


def test_a_csv_batch_is_recorded_in_its_order_a_new_code_before_its_text(tmp_path):
    warehouse = tmp_path / "warehouse.duckdb"
    batch = write_csv(tmp_path / "batch.csv", [NEW_CODE, ITS_TEXT, WITHHOLD])
    assert run(import_corrections_job, warehouse, {"path": str(batch)}).success
    rows = recorded(warehouse)
    assert [(r["kind"], r["subject"]) for r in rows] == [
        ("new_code", "24Q"),
        ("canonical_text", "24Q"),
        ("withheld_row", "A1234522"),
    ]


def test_a_bad_line_is_named_and_nothing_of_the_batch_is_recorded(tmp_path):
    warehouse = tmp_path / "warehouse.duckdb"
    no_reason = [*WITHHOLD[:1], "", *WITHHOLD[2:]]
    batch = write_csv(tmp_path / "batch.csv", [NEW_CODE, no_reason, ITS_TEXT])
    result = run(import_corrections_job, warehouse, {"path": str(batch)})
    assert not result.success
    message = failure_message(result)
    assert "line 3: reason is required" in message and "nothing recorded" in message
    assert recorded(warehouse) == []


def test_a_column_the_batch_does_not_know_is_refused(tmp_path):
    batch = write_csv(tmp_path / "batch.csv", [[*WITHHOLD, "x"]], [*HEADER, "approved_by"])
    result = run(import_corrections_job, tmp_path / "warehouse.duckdb", {"path": str(batch)})
    assert "line 1 (header): unknown column 'approved_by'" in failure_message(result)


def test_a_later_decision_on_the_same_subject_supersedes_and_both_are_kept(tmp_path):
    warehouse = tmp_path / "warehouse.duckdb"
    release = [*WITHHOLD[:2], "withheld_row", "calls_for_service", *WITHHOLD[4:11], "release"]
    for rows in ([WITHHOLD], [release]):
        batch = write_csv(tmp_path / "batch.csv", rows)
        assert run(import_corrections_job, warehouse, {"path": str(batch)}).success
    first, second = recorded(warehouse)
    assert (first["decision"], first["status"]) == ("withhold", "superseded")
    assert (second["decision"], second["status"]) == ("release", "recorded, not built yet")


@pytest.mark.parametrize("job", [record_correction_job, import_corrections_job])
def test_the_recording_jobs_describe_their_config_for_the_launchpad(job):
    op = next(iter(job.graph.node_dict))
    fields = job.graph.node_dict[op].definition.config_schema.config_type.fields
    assert all(field.description for field in fields.values())
    assert TABLE == "stewards.corrections"


def test_make_import_corrections_prints_each_bad_line_and_exits_1(tmp_path, monkeypatch, capsys):
    from orchestration.corrections.cli import main

    warehouse = tmp_path / "warehouse.duckdb"
    monkeypatch.setenv("WAREHOUSE_PATH", str(warehouse))
    bad = [*NEW_CODE[:7], "perhaps", *NEW_CODE[8:]]
    assert main([str(write_csv(tmp_path / "bad.csv", [WITHHOLD, bad]))]) == 1
    assert "line 3: is_juvenile must be true or false, not 'perhaps'" in capsys.readouterr().out
    assert main([str(write_csv(tmp_path / "good.csv", [WITHHOLD, NEW_CODE]))]) == 0
    assert "recorded 2 decisions" in capsys.readouterr().out
    assert len(recorded(warehouse)) == 2


def test_the_launchpad_offers_the_kinds_as_a_choice_and_refuses_another(tmp_path):
    kind = record_correction_job.graph.node_dict["record_decision"].definition.config_schema
    choices = [
        value.config_value for value in kind.config_type.fields["kind"].config_type.enum_values
    ]
    assert choices == ["canonical_text", "new_code", "duplicate_event", "withheld_row"]
    with pytest.raises(dg.DagsterInvalidConfigError, match="rename"):
        run(
            record_correction_job,
            tmp_path / "w.duckdb",
            {"steward": "a", "reason": "b", "kind": "rename"},
        )
