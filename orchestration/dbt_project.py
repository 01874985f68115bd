"""The one DbtProject of the platform, its path resolved here and nowhere else.

The manifest is parsed by `make setup` (or a test fixture), never at import time;
`prepare_if_dev()` re-parses only under `dagster dev`.
"""

from __future__ import annotations

import importlib.metadata
import shutil
import sys
from functools import cached_property
from pathlib import Path

from dagster_dbt import DbtCliResource, DbtProject
from packaging import version

DBT_PROJECT_DIR = Path(__file__).resolve().parent.parent / "dbt_project"

# The dbt installed beside this interpreter, so the venv works without being activated.
DBT_EXECUTABLE = shutil.which("dbt") or str(Path(sys.executable).with_name("dbt"))

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
dbt_project.prepare_if_dev()


class LocalDbtCliResource(DbtCliResource):
    """DbtCliResource that reads dbt's version from the installed package.

    dagster-dbt learns the version by running `dbt --version` once per step, and that command
    always asks the package index for the latest release. A privacy project does not call out
    on every run, and the answer is already in the installed package's metadata.
    """

    @cached_property
    def _cli_version(self) -> version.Version:
        return version.parse(importlib.metadata.version("dbt-core"))
