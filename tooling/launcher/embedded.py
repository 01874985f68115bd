"""The embedded default: local portals, generated sample data, the daily job, no setup.

`civic-embedded run` is what `make run` calls: it writes a week of generated internal calls
for service, starts the internal (source) and public (target) local portals on loopback,
runs the `daily_publish` job for yesterday through the Dagster CLI, and stops the portals.
`civic-embedded dev` does the same set-up and serves the Dagster UI instead.
`civic-embedded lineage-ui` serves the same instance's UI read-only for stakeholders
(see `tooling/launcher/lineage_ui.py`): no portals, no daemon, nothing to launch.
"""

from __future__ import annotations

import argparse
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import dagster as dg
import requests

from orchestration.catalog import PUBLISHED_DATASETS, published_asset_key
from orchestration.partitions import CITY_TIMEZONE
from orchestration.socrata.client import is_loopback_host
from orchestration.socrata.resource import format_dataset_ids, parse_dataset_ids
from tooling.generator.samples import write_samples
from tooling.launcher import lineage_ui as read_only_ui
from tooling.launcher.event_recording import RANGE_RUN_RECORDING
from tooling.launcher.public_datasets import provisioned_ids

LOOPBACK = "127.0.0.1"
HOST_HELP = (
    "address the Dagster UI listens on (default 127.0.0.1: this machine only; the local "
    "portals stay on loopback whatever this says)"
)
PUBLISHER_USERNAME = "publisher"
DEFAULT_SAMPLE_DAYS = 7


@dataclass(frozen=True)
class RunningPortal:
    data_dir: Path
    port: int
    username: str = ""
    password: str = ""

    @property
    def domain(self) -> str:
        return f"{LOOPBACK}:{self.port}"


def yesterday_in_city(now: datetime | None = None) -> date:
    now = now or datetime.now(ZoneInfo(CITY_TIMEZONE))
    return now.astimezone(ZoneInfo(CITY_TIMEZONE)).date() - timedelta(days=1)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((LOOPBACK, 0))
        return probe.getsockname()[1]


def wait_until_healthy(port: int, process: subprocess.Popen, timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    url = f"http://{LOOPBACK}:{port}/_portal/health"
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the local portal on port {port} exited with {process.returncode}")
        try:
            if requests.get(url, timeout=1).ok:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise TimeoutError(f"the local portal on port {port} did not answer within {timeout_s} s")


@contextmanager
def local_portal(
    data_dir: Path, port: int, username: str = "", password: str = ""
) -> Iterator[RunningPortal]:
    """A `local-portal serve` process for the duration of the block."""
    data_dir.mkdir(parents=True, exist_ok=True)
    command = [
        str(Path(sys.executable).with_name("local-portal")),
        "serve",
        "--data-dir",
        str(data_dir),
        "--host",
        LOOPBACK,
        "--port",
        str(port),
    ]
    env = dict(os.environ)
    if username:
        command += ["--username", username]
        env["LOCAL_PORTAL_PASSWORD"] = password
    process = subprocess.Popen(command, env=env, preexec_fn=_default_signals)
    try:
        wait_until_healthy(port, process)
        yield RunningPortal(data_dir, port, username, password)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()


def portal_environment(
    source: RunningPortal, public: RunningPortal, public_ids: dict[str, str] | None = None
) -> dict[str, str]:
    """The variables the Dagster resources read, pointed at the local portals."""
    return {
        "SOURCE_SOCRATA_DOMAIN": source.domain,
        "SOURCE_SOCRATA_APP_TOKEN": "",
        "SOURCE_SOCRATA_USERNAME": source.username,
        "SOURCE_SOCRATA_PASSWORD": source.password,
        "SOURCE_SOCRATA_DATASET_IDS": "",
        "PUBLIC_SOCRATA_DOMAIN": public.domain,
        "PUBLIC_SOCRATA_APP_TOKEN": "",
        "PUBLIC_SOCRATA_USERNAME": public.username,
        "PUBLIC_SOCRATA_PASSWORD": public.password,
        "PUBLIC_SOCRATA_DATASET_IDS": format_dataset_ids(public_ids or {}),
    }


def provisioned_environment(
    data_root: Path, source: RunningPortal, public: RunningPortal
) -> dict[str, str]:
    """`portal_environment` once the public datasets exist (created on the first start)."""
    ids = provisioned_ids(data_root, public.domain, public.username, public.password)
    return portal_environment(source, public, ids)


def dagster_environment(data_root: Path) -> dict[str, str]:
    env = dict(os.environ)
    # dbt and dagster of this environment first, whether or not the venv is activated.
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    env.setdefault("DAGSTER_HOME", str((data_root / "dagster_home").resolve()))
    env.setdefault("WAREHOUSE_PATH", str((data_root / "warehouse.duckdb").resolve()))
    env["DO_NOT_TRACK"] = "1"
    env["DBT_SEND_ANONYMOUS_USAGE_STATS"] = "false"
    env["SODA_CORE_TELEMETRY_ENABLED"] = "false"
    for name, value in RANGE_RUN_RECORDING.items():
        env.setdefault(name, value)
    home = Path(env["DAGSTER_HOME"])
    home.mkdir(parents=True, exist_ok=True)
    instance_config = home / "dagster.yaml"
    if not instance_config.exists():
        shipped = Path(__file__).resolve().parents[2] / "deploy" / "dagster.yaml"
        instance_config.write_text(shipped.read_text())
    return env


def generate_sample(data_root: Path, last_day: date, days: int, seed: int, scale: float) -> None:
    first_day = last_day - timedelta(days=days - 1)
    summaries = write_samples(
        data_root / "portal" / "internal", first_day, last_day, seed=seed, scale=scale
    )
    for name, summary in summaries.items():
        print(f"generated {summary.rows:,} internal {name} rows for {first_day}..{last_day}")


@contextmanager
def embedded_portals(
    data_root: Path, source_port: int, public_port: int
) -> Iterator[tuple[RunningPortal, RunningPortal]]:
    password = secrets.token_urlsafe(16)
    with ExitStack() as stack:
        source = stack.enter_context(local_portal(data_root / "portal" / "internal", source_port))
        public = stack.enter_context(
            local_portal(data_root / "portal" / "public", public_port, PUBLISHER_USERNAME, password)
        )
        yield source, public


def published_row_count(portal: RunningPortal, dataset_id: str) -> int:
    answer = requests.get(
        f"http://{portal.domain}/resource/{dataset_id}.json",
        params={"$select": "count(*) as row_count"},
        timeout=30,
    )
    answer.raise_for_status()
    return int(answer.json()[0]["row_count"])


def rows_held(dagster_home: str, dataset_name: str) -> int:
    """Rows the dataset's latest publish held back under its release policy (still settling,
    orchestration/publishing/settling.py): published by a later run, not lost."""
    instance = dg.DagsterInstance.from_config(dagster_home)
    try:
        event = instance.get_latest_materialization_event(published_asset_key(dataset_name))
    finally:
        instance.dispose()
    materialization = event.asset_materialization if event is not None else None
    held = materialization.metadata.get("rows_held") if materialization is not None else None
    return int(held.value) if held is not None else 0


def execute_daily_job(env: dict[str, str], day: date) -> int:
    """`daily_publish` for one local day through the Dagster CLI, in this instance."""
    command = [
        str(Path(sys.executable).with_name("dagster")),
        "job",
        "execute",
        "-m",
        "orchestration.definitions",
        "-j",
        "daily_publish",
        "--tags",
        f'{{"dagster/partition": "{day.isoformat()}"}}',
    ]
    print(f"running daily_publish for {day} ...", flush=True)
    result = subprocess.run(command, env=env)
    if result.returncode != 0:
        print(f"daily_publish for {day} failed (exit {result.returncode})", file=sys.stderr)
    return result.returncode


def run(args: argparse.Namespace) -> int:
    data_root = Path(args.data_dir)
    day = date.fromisoformat(args.day) if args.day else yesterday_in_city()
    generate_sample(data_root, day, args.days, args.seed, args.scale)
    env = dagster_environment(data_root)
    with embedded_portals(data_root, free_port(), free_port()) as (source, public):
        env.update(provisioned_environment(data_root, source, public))
        returncode = execute_daily_job(env, day)
        if returncode != 0:
            return returncode
        ids = parse_dataset_ids(env["PUBLIC_SOCRATA_DATASET_IDS"])
        counts = {
            dataset.name: (
                ids[dataset.name],
                published_row_count(public, ids[dataset.name]),
                rows_held(env["DAGSTER_HOME"], dataset.name),
            )
            for dataset in PUBLISHED_DATASETS
        }
    public_dir = (data_root / "portal" / "public").resolve()
    print(f"\nPublished {day} to the local public portal in {public_dir}:", flush=True)
    width = max(len(dataset.title) for dataset in PUBLISHED_DATASETS)
    for dataset in PUBLISHED_DATASETS:
        dataset_id, rows, held = counts[dataset.name]
        waiting = f"  (+{held:,} held: {dataset.release.describe()})" if held else ""
        print(f"  {dataset_id}  {dataset.title:<{width}} {rows:>7,} rows{waiting}")
    print(
        f"Browse it:  local-portal serve --data-dir {public_dir} --port 8802\n"
        f"            then open http://127.0.0.1:8802/api/catalog/v1",
        flush=True,
    )
    return 0


def _default_signals() -> None:
    """Child processes start with default SIGINT/SIGTERM handling.

    Started from a non-interactive shell, `dagster dev` inherits SIGINT as ignored and then
    ignores SIGTERM too; with the defaults restored, SIGTERM shuts it down cleanly.
    """
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _raise_keyboard_interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def dev(args: argparse.Namespace) -> int:
    data_root = Path(args.data_dir)
    generate_sample(data_root, yesterday_in_city(), args.days, args.seed, args.scale)
    env = dagster_environment(data_root)
    with embedded_portals(data_root, args.source_port, args.public_port) as (source, public):
        env.update(provisioned_environment(data_root, source, public))
        if not Path(env["WAREHOUSE_PATH"]).exists():
            # A first start publishes yesterday, so the UI opens on a materialized partition.
            execute_daily_job(env, yesterday_in_city())
        print(
            f"internal portal http://{source.domain}  public portal http://{public.domain}\n"
            f"Dagster UI      http://{args.host}:{args.port}",
            flush=True,
        )
        warn_if_exposed(args.host)
        command = dagster_dev_command(args.port, args.host)
        # SIGTERM to this launcher stops the UI and then the portals, like Ctrl-C.
        return _serve_until_stopped(command, env)


def warn_if_exposed(host: str) -> None:
    """The Dagster UI has no login: say so when it is told to listen beyond loopback."""
    if not is_loopback_host(host):
        print(
            f"warning: the Dagster UI will listen on {host}; it has no login, so anyone who can "
            "reach it can use it. Put an authenticating proxy in front of it.",
            file=sys.stderr,
            flush=True,
        )


def workspace_server_args(port: int, host: str = LOOPBACK) -> list[str]:
    """The repository's workspace, served on `host:port` (`dagster dev`, the webserver)."""
    return ["-w", "workspace.yaml", "-h", host, "-p", str(port)]


def dagster_dev_command(port: int, host: str = LOOPBACK) -> list[str]:
    """`dagster dev` of this environment for the repository's workspace (loopback unless told)."""
    dagster = str(Path(sys.executable).with_name("dagster"))
    return [dagster, "dev", *workspace_server_args(port, host)]


def _serve_until_stopped(command: list[str], env: dict[str, str]) -> int:
    """Run a UI server until it exits; SIGTERM or Ctrl-C to this launcher stops it cleanly."""
    signal.signal(signal.SIGTERM, _raise_keyboard_interrupt)
    process = subprocess.Popen(command, env=env, preexec_fn=_default_signals)
    try:
        return process.wait()
    except KeyboardInterrupt:
        process.send_signal(signal.SIGTERM)
        try:
            return process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            return process.wait()


def lineage_ui(args: argparse.Namespace) -> int:
    """Serve the Dagster UI read-only on loopback, on the instance `make dev` uses."""
    problem = read_only_ui.missing_manifest_message()
    if problem:
        print(problem, file=sys.stderr)
        return 2
    env = dagster_environment(Path(args.data_dir))
    print(
        f"Read-only Dagster UI  http://{args.host}:{args.port}  (instance {env['DAGSTER_HOME']})\n"
        "Asset graph, checks and run history can be viewed; nothing can be launched or wiped.",
        flush=True,
    )
    warn_if_exposed(args.host)
    command = read_only_ui.read_only_webserver_command(args.host, args.port)
    return _serve_until_stopped(command, env)


def build_parser() -> argparse.ArgumentParser:
    """The command line; the UIs listen on loopback unless `--host` says otherwise."""
    parser = argparse.ArgumentParser(prog="civic-embedded", description=__doc__)
    parser.add_argument("--data-dir", default=os.environ.get("CIVIC_DATA_DIR", "data"))
    parser.add_argument("--days", type=int, default=DEFAULT_SAMPLE_DAYS)
    parser.add_argument("--seed", type=int, default=20110101)
    parser.add_argument("--scale", type=float, default=1.0)
    commands = parser.add_subparsers(dest="command", required=True)
    run_parser = commands.add_parser("run", help="publish one day on the embedded default")
    run_parser.add_argument("--day", help="local date to publish (default: yesterday)")
    run_parser.set_defaults(handler=run)
    dev_parser = commands.add_parser("dev", help="serve the Dagster UI with the local portals")
    dev_parser.add_argument("--port", type=int, default=3000)
    dev_parser.add_argument("--host", default=LOOPBACK, help=HOST_HELP)
    dev_parser.add_argument("--source-port", type=int, default=8801)
    dev_parser.add_argument("--public-port", type=int, default=8802)
    dev_parser.set_defaults(handler=dev)
    lineage_parser = commands.add_parser(
        "lineage-ui", help="serve the Dagster UI read-only on loopback, for stakeholders"
    )
    lineage_parser.add_argument("--port", type=int, default=read_only_ui.DEFAULT_PORT)
    lineage_parser.add_argument("--host", default=LOOPBACK, help=HOST_HELP)
    lineage_parser.set_defaults(handler=lineage_ui)
    from tooling.launcher import serve  # it builds on this module's pieces

    serve.add_parser(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.handler(args)


if __name__ == "__main__":
    sys.exit(main())
