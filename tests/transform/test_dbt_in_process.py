"""dbt run on a thread of the step's process answers as the `dbt` process it replaces.

dagster-dbt reads a dbt invocation as a process: JSON log lines on stdout, `wait()`, an exit
code (orchestration/transform/in_process.py). These run real dbt commands on the project.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from orchestration.transform.in_process import EXIT_ERROR, EXIT_SUCCESS, DbtInProcess
from orchestration.transform.project import DBT_EXECUTABLE, DBT_PROJECT_DIR

pytestmark = pytest.mark.integration  # imports and runs dbt: not in make test-fast


def dbt_environment(tmp_path: Path, **extra: str) -> dict[str, str]:
    """What dagster-dbt hands its dbt process: this environment, JSON logs, own target."""
    target = tmp_path / "target"
    target.mkdir(exist_ok=True)
    saved_parse = DBT_PROJECT_DIR / "target" / "partial_parse.msgpack"
    if saved_parse.is_file():
        shutil.copy(saved_parse, target)
    return {
        **os.environ,
        "DBT_LOG_FORMAT": "json",
        "DBT_TARGET_PATH": str(target),
        "DBT_LOG_PATH": str(target),
        "DBT_PROFILES_DIR": str(DBT_PROJECT_DIR),
        "DBT_PROJECT_DIR": str(DBT_PROJECT_DIR),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "WAREHOUSE_PATH": str(tmp_path / "warehouse.duckdb"),
        **extra,
    }


def run_to_end(process: DbtInProcess) -> list[bytes]:
    with process.stdout:
        lines = list(process.stdout)
    process.wait()
    return lines


def test_dbt_in_process_writes_the_json_lines_of_the_cli_and_exits_zero(tmp_path):
    process = DbtInProcess(
        [DBT_EXECUTABLE, "ls", "--resource-type", "seed"], dbt_environment(tmp_path)
    )
    lines = run_to_end(process)
    events = [json.loads(line) for line in lines]
    assert process.returncode == EXIT_SUCCESS
    assert {"info", "data"} <= set(events[0])
    assert "MainReportVersion" in {event["info"]["name"] for event in events}
    listed = " ".join(event["info"]["msg"] for event in events)
    assert "civic_data.call_types" in listed


def test_a_dbt_command_that_cannot_start_exits_two_and_says_why(tmp_path):
    process = DbtInProcess([DBT_EXECUTABLE, "build", "--no-such-option"], dbt_environment(tmp_path))
    text = b"".join(run_to_end(process)).decode()
    assert process.returncode == EXIT_ERROR
    assert "no-such-option" in text


def test_the_invocations_environment_holds_while_dbt_runs_and_is_restored_after(tmp_path):
    assert "CIVIC_TEST_ONLY_VARIABLE" not in os.environ
    environment = dbt_environment(tmp_path, CIVIC_TEST_ONLY_VARIABLE="set")
    process = DbtInProcess([DBT_EXECUTABLE, "ls", "--resource-type", "seed"], environment)
    assert os.environ.get("CIVIC_TEST_ONLY_VARIABLE") == "set"
    run_to_end(process)
    assert "CIVIC_TEST_ONLY_VARIABLE" not in os.environ
    assert os.environ.get("DBT_TARGET_PATH") != environment["DBT_TARGET_PATH"]


def test_a_second_dbt_in_the_same_process_is_refused_while_one_runs(tmp_path):
    first = DbtInProcess(
        [DBT_EXECUTABLE, "ls", "--resource-type", "seed"], dbt_environment(tmp_path)
    )
    try:
        with pytest.raises(RuntimeError, match="another dbt command is running"):
            DbtInProcess([DBT_EXECUTABLE, "ls"], dbt_environment(tmp_path))
    finally:
        run_to_end(first)
    assert first.returncode == EXIT_SUCCESS
