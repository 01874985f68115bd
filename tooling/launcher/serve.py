"""`make serve`: the platform as a city runs it, on one machine.

Beside `make dev` (Dagster on files, one process), this runs the production profile:

- a PostgreSQL server of its own (tooling/launcher/postgres.py), holding Dagster's run, event
  and schedule storage (deploy/serve/dagster.yaml);
- `dagster-daemon`, which fires the daily schedule and the sensors (changes at the source,
  settled rows, approvals, corrections, run failures) and starts queued runs one at a time;
- `dagster-webserver`, the UI, on loopback unless told otherwise;
- the local portals standing in for the city's Socrata domains.

Everything is started here and stopped when this process is (Ctrl-C or SIGTERM): the
webserver and the daemon first, then the portals, then PostgreSQL. What they keep stays under
the data folder, so a second start keeps the run history, the sensors' cursors and the
warehouse's ledger.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from contextlib import ExitStack
from pathlib import Path

from tooling.launcher.embedded import (
    HOST_HELP,
    LOOPBACK,
    _default_signals,
    _raise_keyboard_interrupt,
    dagster_environment,
    embedded_portals,
    execute_daily_job,
    generate_sample,
    provisioned_environment,
    warn_if_exposed,
    workspace_server_args,
    yesterday_in_city,
)
from tooling.launcher.postgres import DEFAULT_PORT, running_postgres

REPO_ROOT = Path(__file__).resolve().parents[2]
INSTANCE_CONFIG = REPO_ROOT / "deploy" / "serve" / "dagster.yaml"
STOP_TIMEOUT_S = 60


def serve_home(data_root: Path) -> Path:
    """The Dagster home of `make serve` (its dagster.yaml; the storage is in PostgreSQL)."""
    home = (data_root / "serve" / "dagster_home").resolve()
    home.mkdir(parents=True, exist_ok=True)
    (home / "dagster.yaml").write_text(INSTANCE_CONFIG.read_text(encoding="utf-8"))
    return home


def daemon_command() -> list[str]:
    return [str(Path(sys.executable).with_name("dagster-daemon")), "run", "-w", "workspace.yaml"]


def webserver_command(host: str, port: int) -> list[str]:
    webserver = str(Path(sys.executable).with_name("dagster-webserver"))
    return [webserver, *workspace_server_args(port, host)]


def stop_all(processes: list[subprocess.Popen]) -> None:
    """SIGTERM each, newest first; what has not exited within the timeout is killed."""
    for process in reversed(processes):
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + STOP_TIMEOUT_S
    for process in reversed(processes):
        try:
            process.wait(timeout=max(deadline - time.monotonic(), 0.1))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def serve(args: argparse.Namespace) -> int:
    data_root = Path(args.data_dir)
    generate_sample(data_root, yesterday_in_city(), args.days, args.seed, args.scale)
    env = dagster_environment(data_root)
    env["DAGSTER_HOME"] = str(serve_home(data_root))
    signal.signal(signal.SIGTERM, _raise_keyboard_interrupt)
    with ExitStack() as stack:
        cluster_root = Path(args.pg_dir) if args.pg_dir else data_root / "postgres"
        credentials = stack.enter_context(running_postgres(cluster_root, args.pg_port))
        env.update(credentials.environment())
        source, public = stack.enter_context(
            embedded_portals(data_root, args.source_port, args.public_port)
        )
        env.update(provisioned_environment(data_root, source, public))
        if args.publish_at:
            hour, _, minute = args.publish_at.partition(":")
            env["DAILY_PUBLISH_HOUR"], env["DAILY_PUBLISH_MINUTE"] = hour, minute or "0"
        if not Path(env["WAREHOUSE_PATH"]).exists() and not args.no_first_run:
            # A first start publishes yesterday, so the UI opens on a materialized partition.
            execute_daily_job(env, yesterday_in_city())
        processes: list[subprocess.Popen] = []
        stack.callback(stop_all, processes)
        for command in (daemon_command(), webserver_command(args.host, args.port)):
            processes.append(
                subprocess.Popen(command, env=env, cwd=REPO_ROOT, preexec_fn=_default_signals)
            )
        print(
            f"PostgreSQL      127.0.0.1:{credentials.port} (database {credentials.database})\n"
            f"internal portal http://{source.domain}  public portal http://{public.domain}\n"
            f"Dagster UI      http://{args.host}:{args.port}  (daemon running; Ctrl-C stops all)",
            flush=True,
        )
        warn_if_exposed(args.host)
        try:
            while all(process.poll() is None for process in processes):
                time.sleep(1)
        except KeyboardInterrupt:
            return 0
        stopped = next(p for p in processes if p.poll() is not None)
        print(f"{stopped.args[0]} exited ({stopped.returncode}); stopping", file=sys.stderr)
        return 1
    return 0


def add_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "serve", help="PostgreSQL, dagster-daemon, dagster-webserver and the local portals"
    )
    parser.add_argument("--port", type=int, default=3000)
    parser.add_argument("--host", default=LOOPBACK, help=HOST_HELP)
    parser.add_argument("--source-port", type=int, default=8801)
    parser.add_argument("--public-port", type=int, default=8802)
    parser.add_argument("--pg-port", type=int, default=int(os.environ.get("PG_PORT", DEFAULT_PORT)))
    parser.add_argument(
        "--pg-dir", help="where the PostgreSQL cluster lives (default: <data dir>/postgres)"
    )
    parser.add_argument(
        "--publish-at",
        metavar="HH:MM",
        help="the daily schedule's time, city time (default: DAILY_PUBLISH_HOUR, or 03:00)",
    )
    parser.add_argument(
        "--no-first-run", action="store_true", help="do not publish yesterday on a first start"
    )
    parser.set_defaults(handler=serve)
