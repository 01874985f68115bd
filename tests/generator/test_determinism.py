"""A day's rows depend only on (seed, day, scale): same bytes in any run, process or span."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date

from tooling.generator import generate_calls, write_internal_export

DAY = date(2026, 11, 2)


def _cli_bytes(tmp_path, hash_seed: str) -> bytes:
    out = tmp_path / hash_seed
    env = {**os.environ, "PYTHONHASHSEED": hash_seed}
    subprocess.run(
        [sys.executable, "-m", "tooling.generator", "--data-dir", str(out),
         "--start", DAY.isoformat(), "--end", DAY.isoformat()],
        env=env, check=True, capture_output=True,
    )  # fmt: skip
    return (out / "opcd-cfs1.csv").read_bytes()


def test_same_arguments_write_identical_bytes(tmp_path):
    first = write_internal_export(tmp_path / "a", DAY, DAY)
    second = write_internal_export(tmp_path / "b", DAY, DAY)
    assert first.path.read_bytes() == second.path.read_bytes()
    assert first.meta_path.read_bytes() == second.meta_path.read_bytes()


def test_output_does_not_depend_on_the_process_hash_seed(tmp_path):
    in_process = write_internal_export(tmp_path / "here", DAY, DAY).path.read_bytes()
    assert _cli_bytes(tmp_path, "1") == in_process
    assert _cli_bytes(tmp_path, "2") == in_process


def test_overlapping_spans_agree_on_shared_days():
    early = list(generate_calls(date(2026, 11, 1), date(2026, 11, 7)))
    late = list(generate_calls(date(2026, 11, 5), date(2026, 11, 10)))
    shared = ("2026-11-05", "2026-11-06", "2026-11-07")
    from_early = [row for row in early if row["timecreate"][:10] in shared]
    from_late = [row for row in late if row["timecreate"][:10] in shared]
    assert from_early
    assert from_early == from_late


def test_another_seed_gives_other_calls():
    ours = list(generate_calls(DAY, DAY))
    theirs = list(generate_calls(DAY, DAY, seed=7))
    assert ours != theirs
