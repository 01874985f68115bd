"""The Dagster UIs and the local portal listen on loopback unless explicitly told otherwise."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tooling.launcher.embedded import build_parser, dagster_dev_command
from tooling.launcher.lineage_ui import read_only_webserver_command
from tooling.launcher.serve import webserver_command

LOCAL_PORTAL = str(Path(sys.executable).with_name("local-portal"))


def host_of(command: list[str]) -> str:
    return command[command.index("-h") + 1]


def test_the_dev_ui_listens_on_loopback_by_default():
    args = build_parser().parse_args(["dev"])
    assert host_of(dagster_dev_command(args.port, args.host)) == "127.0.0.1"


def test_the_read_only_ui_listens_on_loopback_by_default():
    args = build_parser().parse_args(["lineage-ui"])
    assert host_of(read_only_webserver_command(args.host, args.port)) == "127.0.0.1"


def test_the_served_ui_listens_on_loopback_by_default():
    args = build_parser().parse_args(["serve"])
    assert host_of(webserver_command(args.host, args.port)) == "127.0.0.1"


def test_only_an_explicit_host_flag_moves_the_dev_ui_off_loopback():
    args = build_parser().parse_args(["dev", "--host", "0.0.0.0"])
    assert host_of(dagster_dev_command(args.port, args.host)) == "0.0.0.0"


def test_the_portal_cli_listens_on_loopback_by_default(tmp_path):
    process = subprocess.Popen(
        [LOCAL_PORTAL, "serve", "--data-dir", str(tmp_path), "--port", "0"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        ready = process.stdout.readline()
    finally:
        process.terminate()
        process.wait(timeout=15)
    assert "on http://127.0.0.1:" in ready


def test_the_portal_cli_refuses_to_listen_beyond_loopback(tmp_path):
    done = subprocess.run(
        [LOCAL_PORTAL, "serve", "--data-dir", str(tmp_path), "--host", "0.0.0.0"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1
    assert "loopback" in done.stderr
