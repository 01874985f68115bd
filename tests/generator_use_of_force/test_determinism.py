"""A day's rows depend only on (seed, day, scale), whichever span generated them."""

from __future__ import annotations

import re
from datetime import date, timedelta

from tooling.generator.use_of_force import generate_use_of_force, write_use_of_force_export

START, MIDDLE_START, MIDDLE_END, END = (
    date(2026, 3, 1), date(2026, 3, 6), date(2026, 3, 12), date(2026, 3, 20)
)  # fmt: skip


def test_same_arguments_write_identical_bytes(tmp_path):
    first = write_use_of_force_export(tmp_path / "a", START, END, scale=5)
    second = write_use_of_force_export(tmp_path / "b", START, END, scale=5)
    assert first.path.read_bytes() == second.path.read_bytes()
    assert first.meta_path.read_bytes() == second.meta_path.read_bytes()


def test_overlapping_spans_agree_on_shared_days():
    shared = list(generate_use_of_force(MIDDLE_START, MIDDLE_END, scale=5))
    assert shared
    assert list(generate_use_of_force(START, MIDDLE_END, scale=5))[-len(shared) :] == shared
    assert list(generate_use_of_force(MIDDLE_START, END, scale=5))[: len(shared)] == shared


def test_tracking_numbers_run_through_the_year_when_days_are_generated_one_by_one():
    sequences = []
    day = date(2026, 1, 1)
    while day <= date(2026, 2, 28):
        numbers = {row["pib_file_number"] for row in generate_use_of_force(day, day, scale=3)}
        sequences += [int(re.search(r"-(\d{4})$", number)[1]) for number in numbers]
        day += timedelta(days=1)
    assert sorted(sequences) == list(range(1, len(sequences) + 1))


def test_another_seed_gives_other_rows():
    assert list(generate_use_of_force(START, END, seed=1)) != list(
        generate_use_of_force(START, END, seed=2)
    )
