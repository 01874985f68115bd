"""`local-portal serve` started with credentials refuses writes without them, and never
shows the password it was given, even with every request logged."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

LOCAL_PORTAL = str(Path(sys.executable).with_name("local-portal"))
USER, PASSWORD = "publisher", "cli-pw-Hq83Mz1"
# A write that needs no dataset first: opening a Dataset Management API revision of a new one.
NEW_REVISION = "/api/publishing/v1/revision"
REVISION = {
    "action": {"type": "replace"},
    "metadata": {"name": "Guarded", "description": "a dataset only the publisher may change"},
}


@pytest.fixture
def guarded_portal(tmp_path) -> Iterator[tuple[str, subprocess.Popen]]:
    command = [LOCAL_PORTAL, "serve", "--data-dir", str(tmp_path), "--username", USER]
    process = subprocess.Popen(
        [*command, "--log-level", "DEBUG"],
        env={"LOCAL_PORTAL_PASSWORD": PASSWORD, "PATH": ""},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    ready = process.stdout.readline()
    url = ready.rsplit(" on ", 1)[-1].strip()
    yield url, process
    if process.poll() is None:
        process.terminate()
        process.wait(timeout=15)


def test_the_cli_portal_refuses_a_write_without_credentials(guarded_portal):
    url, _ = guarded_portal
    answer = requests.post(f"{url}{NEW_REVISION}", json=REVISION, timeout=10)
    assert answer.status_code == 401


def test_the_cli_portal_takes_a_write_with_its_credentials(guarded_portal):
    url, _ = guarded_portal
    answer = requests.post(f"{url}{NEW_REVISION}", json=REVISION, auth=(USER, PASSWORD), timeout=10)
    assert answer.status_code == 201


def test_the_cli_portal_never_prints_its_password(guarded_portal):
    url, process = guarded_portal
    requests.post(f"{url}{NEW_REVISION}", json=REVISION, auth=(USER, PASSWORD), timeout=10)
    requests.post(f"{url}{NEW_REVISION}", json=REVISION, auth=(USER, "nope"), timeout=10)
    process.terminate()
    process.wait(timeout=15)
    output = process.stdout.read()  # through the text buffer the ready line was read from
    assert NEW_REVISION in output, "the requests were logged"
    assert PASSWORD not in output
