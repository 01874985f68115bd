"""The committed reference tables: small, consistent, free of real rows, and reproducible."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from tooling.generator.reference import load_reference

REPO = Path(__file__).resolve().parents[2]
REFERENCE = REPO / "tooling" / "generator" / "reference"
SCRIPT = REPO / "scripts" / "derive_generator_reference.py"
# Written by hand, not by the derivation script.
HAND_WRITTEN = {"juvenile_types.csv", *(p.name for p in REFERENCE.glob("service_requests_*.csv"))}
# Derived with ``--use-of-force`` (tested in tests/generator_use_of_force).
USE_OF_FORCE = {p.name for p in REFERENCE.glob("use_of_force_*.csv")}


def test_reference_files_are_small():
    sizes = {path.name: path.stat().st_size for path in REFERENCE.glob("*.csv")}
    assert len(sizes) == 26
    assert all(size < 100_000 for size in sizes.values()), sizes


def test_reference_holds_no_item_numbers_or_call_times():
    for path in REFERENCE.glob("*.csv"):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"\b[A-L]\d{7}\b", text), path.name
        assert not re.search(r"\d{1,2}/\d{1,2}/\d{4} \d{1,2}:\d\d", text), path.name


def test_juvenile_types_are_reclassified_to_ordinary_types_of_their_era():
    ref = load_reference()
    for (era, code), final in ref.juvenile_reclassified.items():
        assert final.cad == era
        assert (era, final.code) in ref.types
        assert final.code != code and final.dispositions is not None


def test_every_beat_can_place_a_call():
    ref = load_reference()
    for beat in ref.beats.values:
        assert ref.segments[beat].values and ref.intersections[beat].values
        assert all(s.street in ref.street_lines for s in ref.segments[beat].values)


def test_derivation_reproduces_the_committed_tables(real_data, tmp_path):
    subprocess.run(
        [sys.executable, str(SCRIPT), "--shared-dir", str(real_data), "--out-dir", str(tmp_path)],
        check=True,
        capture_output=True,
    )
    derived = sorted(path.name for path in tmp_path.iterdir())
    assert derived == sorted(
        p.name for p in REFERENCE.glob("*.csv") if p.name not in HAND_WRITTEN | USE_OF_FORCE
    )
    for name in derived:
        assert (tmp_path / name).read_bytes() == (REFERENCE / name).read_bytes(), name
