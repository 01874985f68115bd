"""How a run invokes dbt: its arguments and environment, decided from the window and catalog.

The Dagster asset (orchestration/defs/transform.py) runs dbt with these, and so do the
benchmark (tooling/benchmark) and the tests' warehouse builder, so what they time or check
is what the asset runs. dagster-dbt adds its own target and log paths, log format and node
selection; a standalone invocation adds `--profiles-dir`, `--target-path` and `--log-path`.

The window travels in the environment, read only while nodes run
(`macros/partition_window.sql`); the `--vars` are the privacy parameters alone, the same from
run to run, so dbt reuses its saved parse (orchestration/transform/partial_parse.py).
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from orchestration.partitions import DayWindow

# dbt's unit tests check the models' SQL against fixed rows, not the night's data: they
# change only with the code, so `make test` runs them (tests/transform/test_dbt_unit_tests.py)
# and a nightly build leaves them out, as dbt's documentation advises for production.
NIGHTLY_EXCLUDES = ("--exclude-resource-type", "unit_test")


def dbt_build_args(privacy: Mapping[str, object], command: str = "build") -> list[str]:
    """`dbt build` (or another command, such as `test`, or `parse` for the parse `make setup`
    saves) with `privacy`, each source's privacy parameters (`catalog.privacy_vars`), as its
    vars: nothing of the window, so every command's parse is one dbt can reuse. A build
    leaves out the unit tests (`NIGHTLY_EXCLUDES`)."""
    excludes = list(NIGHTLY_EXCLUDES) if command == "build" else []
    return [command, "--vars", json.dumps(dict(privacy)), *excludes]


# A dbt step selects one lane of the project (orchestration/defs/transform.py). dbt's default
# indirect selection ("eager") would also run, in the rule tables' step, a test between a mart
# and a rule table (a disposition's `relationships`) before the mart is built; "buildable" runs
# a test in the step that builds its last parent. dagster-dbt still narrows it ("empty") when a
# run selects only some of a step's checks.
LANE_TEST_SELECTION = {"DBT_INDIRECT_SELECTION": "buildable"}


def dbt_environment(window: DayWindow) -> dict[str, str]:
    """The window as `macros/partition_window.sql` reads it while nodes run."""
    return {
        "CIVIC_PARTITION_START": window.start.isoformat(),
        "CIVIC_PARTITION_END": window.end.isoformat(),
    }
