"""The committed use-of-force tables: small, free of real rows, and reproducible."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
REFERENCE = REPO / "tooling" / "generator" / "reference"
SCRIPT = REPO / "scripts" / "derive_generator_reference.py"
TABLES = sorted(REFERENCE.glob("use_of_force_*.csv"))


def test_tables_are_small():
    assert len(TABLES) == 7
    assert all(path.stat().st_size < 50_000 for path in TABLES)


def test_tables_hold_no_tracking_numbers_or_dates():
    for path in TABLES:
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"\d{4}-\d{4}", text), path.name
        assert not re.search(r"\d{1,2}/\d{1,2}/\d{4}", text), path.name


def test_derivation_reproduces_the_committed_tables(real_data, tmp_path):
    subprocess.run(
        [sys.executable, str(SCRIPT), "--use-of-force", "--shared-dir", str(real_data),
         "--out-dir", str(tmp_path)],
        check=True,
        capture_output=True,
    )  # fmt: skip
    assert sorted(path.name for path in tmp_path.iterdir()) == [path.name for path in TABLES]
    for path in TABLES:
        assert (tmp_path / path.name).read_bytes() == path.read_bytes(), path.name
