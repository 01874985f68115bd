"""`local-portal serve`: run the local portal in the foreground until SIGTERM or SIGINT.

    local-portal serve --data-dir DIR [--host 127.0.0.1] [--port 0]
                       [--username U --password P] [--app-token T]

The password may come from LOCAL_PORTAL_PASSWORD instead of the command line, where other
users of the machine could read it. When ready it prints one line,
`local portal serving DIR on http://HOST:PORT`, so a launcher can wait for it and learn the
port when it asked for port 0.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
from pathlib import Path

import duckdb

from tooling.local_portal.server import serve_in_thread

PASSWORD_ENV = "LOCAL_PORTAL_PASSWORD"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="local-portal", description="A local Socrata-compatible portal on loopback."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve a data folder until stopped")
    serve.add_argument("--data-dir", required=True, type=Path, help="folder of CSVs and the store")
    serve.add_argument("--host", default="127.0.0.1", help="a loopback address (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=0, help="port to listen on (0: any free port)")
    serve.add_argument("--username", help="require HTTP Basic auth with this user for writes")
    serve.add_argument("--password", help=f"its password (or set {PASSWORD_ENV})")
    serve.add_argument("--app-token", help="refuse requests that send a different app token")
    serve.add_argument("--log-level", default="INFO", help="logging level (default INFO)")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    password = args.password or os.environ.get(PASSWORD_ENV) or None
    if bool(args.username) != bool(password):
        parser.error(f"--username needs a password (--password or {PASSWORD_ENV}), and vice versa")
    logging.basicConfig(
        level=args.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )

    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    try:
        handle = serve_in_thread(
            args.data_dir,
            host=args.host,
            port=args.port,
            username=args.username,
            password=password,
            app_token=args.app_token,
        )
    except (ValueError, OSError, duckdb.Error) as error:
        print(f"local-portal: {error}", file=sys.stderr)
        return 1
    try:
        print(f"local portal serving {args.data_dir} on {handle.url}", flush=True)
        while not stop.wait(0.5):
            pass
    finally:
        handle.stop()
    return 0
