"""Reusing dbt's parse of the project from one run on a warehouse to the next.

dagster-dbt runs every `dbt build` in a target folder of its own, seeded with
`dbt_project/target/partial_parse.msgpack` (what `make setup` parsed), and the folder is
removed after the run. dbt parses the whole project again whenever that saved parse was made
with other `--vars` or another profile (the warehouse path is part of the profile), so in
practice every run parsed from scratch: seconds of a nightly run, every night.

Two things make the saved parse reusable:

- the run's partition window reaches dbt through the environment, read only while nodes run
  (`macros/partition_window.sql`), so the `--vars` of every run are the same privacy
  parameters;
- the parse a run ends with is kept beside its warehouse
  (`<warehouse>.dbt-partial-parse.msgpack`) and seeds that warehouse's next run.

dbt checks a saved parse itself (file checksums, vars, profile, versions) and parses again
whatever changed, so a stale or foreign one costs a parse, never a wrong build.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

PARTIAL_PARSE_FILE = "partial_parse.msgpack"


def saved_parse_path(warehouse_path: str | os.PathLike[str]) -> Path:
    """Where a warehouse keeps the dbt parse its last run ended with."""
    return Path(f"{os.fspath(warehouse_path)}.dbt-partial-parse.msgpack")


def new_target_path(project_dir: Path, run_id: str) -> Path:
    """A fresh target folder for one dbt invocation of a run, as dagster-dbt names them."""
    return project_dir / "target" / f"dbt_models-{run_id[:7]}-{uuid.uuid4().hex[:7]}"


def seed_target(target_path: Path, saved: Path) -> bool:
    """Put the warehouse's saved parse where dbt will look for it; whether there was one."""
    if not saved.is_file():
        return False
    target_path.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(saved, target_path / PARTIAL_PARSE_FILE)
    return True


def keep_parse(target_path: Path, saved: Path) -> None:
    """Keep the parse this invocation ended with for the warehouse's next run (atomically)."""
    produced = target_path / PARTIAL_PARSE_FILE
    if not produced.is_file():
        return
    partial = saved.with_name(saved.name + ".partial")
    shutil.copyfile(produced, partial)
    os.replace(partial, saved)


@contextmanager
def environment(variables: Mapping[str, str]) -> Iterator[None]:
    """These variables set while the block runs dbt, restored afterwards.

    dagster-dbt hands dbt a copy of this process's environment and offers no way to add to
    it, and dbt in this process (orchestration/transform/in_process.py) reads them while its
    nodes run; a run executes its steps one after the other, so nothing else reads them
    meanwhile.
    """
    before = {name: os.environ.get(name) for name in variables}
    os.environ.update(variables)
    try:
        yield
    finally:
        for name, value in before.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
