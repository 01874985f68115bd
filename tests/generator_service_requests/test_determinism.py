"""A day's requests depend only on (seed, day, scale): same bytes in any run, process or span."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date, datetime, timedelta
from itertools import pairwise

from tooling.generator.service_requests import (
    generate_service_requests,
    write_service_requests_export,
)

DAY = date(2026, 11, 2)
_WRITE_ONE_DAY = (
    "import sys; from datetime import date; from pathlib import Path; "
    "from tooling.generator.service_requests import write_service_requests_export as w; "
    "sys.stdout.write(w(Path(sys.argv[1]), date(2026, 11, 2), date(2026, 11, 2)).path.read_text())"
)


def test_same_arguments_write_identical_bytes(tmp_path):
    first = write_service_requests_export(tmp_path / "a", DAY, DAY)
    second = write_service_requests_export(tmp_path / "b", DAY, DAY)
    assert first.path.read_bytes() == second.path.read_bytes()
    assert first.meta_path.read_bytes() == second.meta_path.read_bytes()


def test_output_does_not_depend_on_the_process_hash_seed(tmp_path):
    in_process = write_service_requests_export(tmp_path / "here", DAY, DAY).path.read_text()
    for hash_seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        out = subprocess.run(
            [sys.executable, "-c", _WRITE_ONE_DAY, str(tmp_path / hash_seed)],
            env=env, check=True, capture_output=True, text=True,
        )  # fmt: skip
        assert out.stdout == in_process


def test_overlapping_spans_agree_on_shared_days():
    as_of = datetime(2026, 11, 11)
    early = list(generate_service_requests(date(2026, 11, 1), date(2026, 11, 7), as_of=as_of))
    late = list(generate_service_requests(date(2026, 11, 5), date(2026, 11, 10), as_of=as_of))
    shared = ("2026-11-05", "2026-11-06", "2026-11-07")
    from_early = [row for row in early if row["date_created"][:10] in shared]
    from_late = [row for row in late if row["date_created"][:10] in shared]
    assert from_early
    assert from_early == from_late


def test_days_generated_apart_never_share_a_request_number():
    numbers = [
        [int(row["rowid"]) for row in generate_service_requests(day, day)]
        for day in (DAY, DAY + timedelta(days=1), DAY + timedelta(days=2))
    ]
    for earlier, later in pairwise(numbers):
        assert max(earlier) < min(later)
    assert all(len(set(day)) == len(day) for day in numbers)
