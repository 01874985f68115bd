"""`dbt parse` of a dbt project, as `make setup` and the tests run it.

The parse is saved in the project's `target/`; dagster-dbt copies it into a run that has no
saved parse of its own (a fresh warehouse), and dbt reuses it only if it was made with the
same `--vars` as the build (orchestration/transform/partial_parse.py), hence the privacy
parameters here.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from orchestration.catalog import privacy_vars
from orchestration.transform.invocation import dbt_build_args
from orchestration.transform.project import DBT_EXECUTABLE, DBT_PROJECT_DIR


def parse_project(project_dir: Path = DBT_PROJECT_DIR, warehouse_path: str | None = None) -> None:
    """Parse `project_dir` with the catalog's privacy parameters; raise if dbt fails.

    `warehouse_path` sets WAREHOUSE_PATH, which the profile needs, when the caller's
    environment has none (the parse itself never opens the warehouse).
    """
    env = dict(os.environ)
    if warehouse_path is not None:
        env["WAREHOUSE_PATH"] = warehouse_path
    env.setdefault("WAREHOUSE_PATH", ":memory:")
    parse = dbt_build_args(privacy_vars(), command="parse")
    subprocess.run(
        [DBT_EXECUTABLE, *parse, "--quiet", "--profiles-dir", "."],
        cwd=project_dir,
        env=env,
        check=True,
    )


if __name__ == "__main__":
    parse_project()
