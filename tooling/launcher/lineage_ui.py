"""The read-only Dagster UI for stakeholders: lineage, checks and history, nothing to launch.

Journalists, council staff and a federal monitor need to see where a published number came
from without being able to change what is published. `dagster-webserver --read-only` turns
off every mutation (launching or re-executing runs, wiping assets, toggling schedules and
sensors, reloading code) while the asset graph, asset checks and run history stay readable.

It reads the same DAGSTER_HOME and workspace.yaml as `make dev`, so the history shown is the
real one. It starts no daemon (a viewer schedules nothing) and no local portal (viewing needs
neither: the Socrata resources read their settings only when a run executes).
"""

from __future__ import annotations

import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
WORKSPACE = REPO_ROOT / "workspace.yaml"
MANIFEST = REPO_ROOT / "dbt_project" / "target" / "manifest.json"
DEFAULT_PORT = 3001


def read_only_webserver_command(host: str, port: int) -> list[str]:
    """`dagster-webserver --read-only` of this environment on the platform's workspace."""
    return [
        str(Path(sys.executable).with_name("dagster-webserver")),
        "--read-only",
        "-w",
        str(WORKSPACE),
        "-h",
        host,
        "-p",
        str(port),
    ]


def missing_manifest_message() -> str | None:
    """Why the code location would fail to load, if the dbt project was never parsed."""
    if MANIFEST.exists():
        return None
    return f"no dbt manifest at {MANIFEST}: run `make setup` (or `make lineage-ui`) first"
