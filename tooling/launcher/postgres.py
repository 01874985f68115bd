"""A PostgreSQL server of the platform's own, for `make serve`: Dagster's storage as a city
runs it, on one machine.

The server is Debian's (package `postgresql`, which `make serve` installs when it is missing)
or any PostgreSQL whose `initdb` and `pg_ctl` are on PATH or named by `PG_BIN`. Its cluster
lives under the data folder (`data/postgres/cluster`), listens on loopback and on a socket in
that folder only, and takes a password login: the role and its password are made on the first
start and kept in `data/postgres/credentials.json` (readable by its owner alone). Stopping it
stops the server process; the cluster, and with it Dagster's run history, event log, schedule
and sensor state, stays for the next start.

PostgreSQL refuses to run as root: as root, the cluster belongs to the `postgres` account
Debian's package creates, and its commands run as that account (`runuser`).
"""

from __future__ import annotations

import glob
import json
import os
import pwd
import secrets
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

SERVER_ACCOUNT = "postgres"
ROLE = "dagster"
DATABASE = "dagster"
DEFAULT_PORT = 5433  # beside, not on, a system server's 5432
START_TIMEOUT_S = 60


class PostgresUnavailable(RuntimeError):
    """No PostgreSQL server can be run here; the message says what is missing."""


@dataclass(frozen=True)
class Credentials:
    username: str
    password: str
    database: str
    host: str
    port: int

    def environment(self) -> dict[str, str]:
        """What deploy/serve/dagster.yaml reads (DAGSTER_PG_*)."""
        return {
            "DAGSTER_PG_USERNAME": self.username,
            "DAGSTER_PG_PASSWORD": self.password,
            "DAGSTER_PG_DB": self.database,
            "DAGSTER_PG_HOST": self.host,
            "DAGSTER_PG_PORT": str(self.port),
        }


def server_binaries() -> Path:
    """The folder holding `initdb`, `pg_ctl` and `postgres`: `PG_BIN`, PATH, then Debian's
    newest `/usr/lib/postgresql/<version>/bin`."""
    candidates = []
    if os.environ.get("PG_BIN"):
        candidates.append(Path(os.environ["PG_BIN"]))
    on_path = shutil.which("pg_ctl")
    if on_path:
        candidates.append(Path(on_path).resolve().parent)
    debian = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(Path(p).parent.name))
    candidates += [Path(p) for p in reversed(debian)]
    for folder in candidates:
        if all((folder / tool).is_file() for tool in ("initdb", "pg_ctl", "postgres")):
            return folder
    raise PostgresUnavailable(
        "no PostgreSQL server found (initdb, pg_ctl and postgres): install Debian's "
        "`postgresql` package (`make serve` does, as root) or set PG_BIN to its bin folder"
    )


class PostgresServer:
    """The cluster under `root` (`cluster/`, `socket/`, `credentials.json`, `server.log`)."""

    def __init__(self, root: Path, port: int = DEFAULT_PORT) -> None:
        self.root = root.resolve()
        self.port = port
        self.bin = server_binaries()
        self.cluster = self.root / "cluster"
        self.socket_dir = self.root / "socket"
        self.log = self.root / "server.log"
        self.credentials_file = self.root / "credentials.json"

    # -- running the server's own commands, as its account when this is root ---------------

    def _account(self) -> str | None:
        if os.geteuid() != 0:
            return None
        try:
            pwd.getpwnam(SERVER_ACCOUNT)
        except KeyError as missing:
            raise PostgresUnavailable(
                f"PostgreSQL cannot run as root and there is no `{SERVER_ACCOUNT}` account"
            ) from missing
        return SERVER_ACCOUNT

    def _run(self, tool: str, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        command = [str(self.bin / tool), *args]
        account = self._account()
        if account:
            command = ["runuser", "-u", account, "--", *command]
        done = subprocess.run(command, check=False, capture_output=True, text=True)
        if check and done.returncode != 0:
            raise RuntimeError(
                f"{tool} failed (exit {done.returncode}): {done.stderr.strip() or done.stdout}"
            )
        return done

    def _own(self, *paths: Path) -> None:
        account = self._account()
        if account:
            entry = pwd.getpwnam(account)
            for path in paths:
                os.chown(path, entry.pw_uid, entry.pw_gid)

    def _check_reachable(self) -> None:
        """The server's account must be able to walk down to the cluster's folder."""
        if self._account() is None:
            return
        closed = [p for p in (self.root, *self.root.parents) if not os.stat(p).st_mode & 0o001]
        if closed:
            raise PostgresUnavailable(
                f"the `{SERVER_ACCOUNT}` account cannot reach {self.root}: "
                f"{closed[-1]} is closed to other users; put the cluster elsewhere "
                "(`--pg-dir`) or open that folder (chmod o+x)"
            )

    # -- lifecycle -------------------------------------------------------------------------

    def credentials(self) -> Credentials:
        stored = json.loads(self.credentials_file.read_text(encoding="utf-8"))
        return Credentials(stored["username"], stored["password"], DATABASE, "127.0.0.1", self.port)

    def initialize(self) -> None:
        """Create the cluster, its role and password, the first time only."""
        if (self.cluster / "PG_VERSION").is_file():
            return
        self.root.mkdir(parents=True, exist_ok=True)
        self._check_reachable()
        self.cluster.mkdir(mode=0o700, exist_ok=True)
        self._own(self.cluster)
        password = secrets.token_urlsafe(24)
        with tempfile.NamedTemporaryFile("w", dir=self.root, delete=False) as handle:
            handle.write(password + "\n")
            password_file = Path(handle.name)
        try:
            self._own(password_file)
            self._run(
                "initdb",
                "--pgdata",
                str(self.cluster),
                "--username",
                ROLE,
                "--pwfile",
                str(password_file),
                "--auth-host",
                "scram-sha-256",
                "--auth-local",
                "scram-sha-256",
                "--encoding",
                "UTF8",
            )
        finally:
            password_file.unlink(missing_ok=True)
        self.credentials_file.write_text(
            json.dumps({"username": ROLE, "password": password}), encoding="utf-8"
        )
        self.credentials_file.chmod(0o600)

    def start(self) -> Credentials:
        self.initialize()
        self.socket_dir.mkdir(exist_ok=True)
        self.log.touch()
        self._own(self.socket_dir, self.log)
        options = (
            f"-c listen_addresses=127.0.0.1 -c port={self.port} "
            f"-c unix_socket_directories={self.socket_dir}"
        )
        self._run(
            "pg_ctl",
            "start",
            "--pgdata",
            str(self.cluster),
            "--log",
            str(self.log),
            "--options",
            options,
            "--wait",
            "--timeout",
            str(START_TIMEOUT_S),
        )
        try:
            credentials = self.credentials()
            self._ensure_database(credentials)
        except BaseException:
            self.stop()
            raise
        return credentials

    def _ensure_database(self, credentials: Credentials) -> None:
        import psycopg2

        connection = psycopg2.connect(
            dbname="postgres",
            user=credentials.username,
            password=credentials.password,
            host=credentials.host,
            port=credentials.port,
        )
        try:
            connection.autocommit = True  # CREATE DATABASE runs outside a transaction
            with connection.cursor() as cursor:
                cursor.execute("select 1 from pg_database where datname = %s", (DATABASE,))
                if cursor.fetchone() is None:
                    cursor.execute(f'create database "{DATABASE}"')
        finally:
            connection.close()

    def stop(self) -> None:
        if (self.cluster / "postmaster.pid").exists():
            self._run("pg_ctl", "stop", "--pgdata", str(self.cluster), "--mode", "fast", "--wait")

    def is_running(self) -> bool:
        status = self._run("pg_ctl", "status", "--pgdata", str(self.cluster), check=False)
        return status.returncode == 0

    def pid(self) -> int:
        """The postmaster's process id (the first line of its pid file), while it runs."""
        return int((self.cluster / "postmaster.pid").read_text().split()[0])


@contextmanager
def running_postgres(root: Path, port: int = DEFAULT_PORT) -> Iterator[Credentials]:
    """The platform's PostgreSQL server, started (created the first time), then stopped."""
    server = PostgresServer(root, port)
    credentials = server.start()
    try:
        yield credentials
    finally:
        server.stop()


@contextmanager
def reachable_cluster_root(prefix: str) -> Iterator[Path]:
    """A fresh folder for a throwaway cluster (tests, the bench), removed afterwards.

    As root the cluster belongs to the `postgres` account, which cannot enter a private
    temporary folder (pytest's, a mkdtemp's): this one is open to other users for traversal
    only (711), so the account can reach the cluster inside and nobody can list it.
    """
    root = Path(tempfile.mkdtemp(prefix=prefix))
    root.chmod(0o711)
    try:
        yield root
    finally:
        shutil.rmtree(root, ignore_errors=True)
