"""The one DbtProject of the platform, its path resolved here and nowhere else.

The manifest is parsed by `make setup` (or a test fixture), never at import time;
`prepare_if_dev()` re-parses only under `dagster dev`.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from dagster_dbt import DbtProject

DBT_PROJECT_DIR = Path(__file__).resolve().parents[2] / "dbt_project"

# The dbt installed beside this interpreter, so the venv works without being activated.
DBT_EXECUTABLE = shutil.which("dbt") or str(Path(sys.executable).with_name("dbt"))

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
dbt_project.prepare_if_dev()
