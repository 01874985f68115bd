"""The tree shows the architecture: the platform apart from the tooling around it."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
TOOLING_PACKAGES = ("tooling",)


def test_loading_the_definitions_imports_none_of_the_tooling():
    """The code location a city deploys carries no portal double, generator or benchmark."""
    probe = (
        "import json, sys\n"
        "import orchestration.definitions\n"
        f"tooling = {TOOLING_PACKAGES!r}\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in tooling)))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    imported = json.loads(result.stdout.strip().splitlines()[-1])
    assert imported == []


def test_the_platform_never_names_the_tooling_in_an_import():
    offending = []
    for path in (REPO_ROOT / "orchestration").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offending += [
                f"{path.relative_to(REPO_ROOT)}: {name}"
                for name in names
                if name.split(".")[0] in TOOLING_PACKAGES
            ]
    assert offending == []


def test_the_platform_root_holds_at_most_five_modules():
    modules = sorted(path.name for path in (REPO_ROOT / "orchestration").glob("*.py"))
    assert len(modules) <= 5, modules


def test_every_package_says_what_it_holds():
    silent = []
    for root in ("orchestration", "tooling"):
        for init in (REPO_ROOT / root).rglob("__init__.py"):
            if not ast.get_docstring(ast.parse(init.read_text())):
                silent.append(str(init.relative_to(REPO_ROOT)))
    assert silent == []


def test_no_committed_file_holds_merge_conflict_markers():
    """A merge left half-resolved reads as two contradicting versions of the same text."""
    markers = subprocess.run(
        ["git", "grep", "-n", "-E", "^(<<<<<<< |>>>>>>> |=======$)"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
    )
    if markers.returncode == 128:
        pytest.skip(f"not a git checkout: {markers.stderr.strip()}")
    assert markers.returncode in (0, 1), markers.stderr  # 1: nothing found
    assert markers.stdout == "", markers.stdout
