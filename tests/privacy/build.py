"""Running the real dbt project over a generated raw window.

Generated records break data-quality tests on purpose (unknown disposition codes, call types
the seed does not know yet), and those tests are the quality gate's business, not the
privacy rules': the models are built with `dbt build` as the pipeline builds them, minus the
data tests, so a test failure cannot hide what the rules would have published.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

from tests.warehouse_builder import REPO_ROOT


def build_models(warehouse: Path, start: date, end: date, **extra_vars) -> None:
    """Every model of the window built into `warehouse`; raises with dbt's log on failure."""
    variables = {"partition_start": start.isoformat(), "partition_end": end.isoformat()}
    variables.update(extra_vars)
    target = warehouse.parent / "dbt_target"
    env = {**os.environ, "WAREHOUSE_PATH": str(warehouse), "DO_NOT_TRACK": "1"}
    result = subprocess.run(
        [
            str(Path(sys.executable).with_name("dbt")),
            "build",
            "--exclude-resource-type",
            "test",
            "--profiles-dir",
            ".",
            "--target-path",
            str(target),
            "--log-path",
            str(target),
            "--vars",
            json.dumps(variables),
        ],
        cwd=REPO_ROOT / "dbt_project",
        env=env,
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise AssertionError(f"dbt build failed:\n{result.stdout[-4000:]}")
