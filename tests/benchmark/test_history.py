"""The bench's history: its span at a scale, its year chunks, and joining their exports."""

from __future__ import annotations

import itertools
from datetime import date

import pytest

from orchestration.catalog import SOURCES
from tooling.benchmark.history import (
    FIRST_DAY,
    LAST_DAY,
    first_day_at,
    join_exports,
    year_chunks,
)


def test_scale_one_is_fifteen_whole_years():
    assert first_day_at(1.0) == FIRST_DAY == date(2011, 1, 1)
    assert date(2025, 12, 31) == LAST_DAY


def test_a_smaller_scale_is_that_share_of_the_days_ending_on_the_same_day():
    first = first_day_at(0.05)
    days = (LAST_DAY - first).days + 1
    assert days == round((LAST_DAY - FIRST_DAY).days * 0.05)


def test_year_chunks_cover_the_span_in_order_without_overlap():
    chunks = year_chunks(date(2011, 3, 4), date(2025, 6, 30), workers=2)
    assert chunks[0][0] == date(2011, 3, 4) and chunks[-1][1] == date(2025, 6, 30)
    for (_, end), (start, _) in itertools.pairwise(chunks):
        assert (start - end).days == 1
    assert len(chunks) == 2


def _write_part(folder, header: str, rows: list[str]) -> None:
    folder.mkdir(parents=True)
    for source in SOURCES:
        (folder / f"{source.internal_dataset_id}.csv").write_text(header + "".join(rows))
        (folder / f"{source.internal_dataset_id}.meta.json").write_text("{}")


def test_joined_exports_keep_one_header_and_every_row(tmp_path):
    _write_part(tmp_path / "a", "x,y\n", ['"1","2"\n'])
    _write_part(tmp_path / "b", "x,y\n", ['"3","4"\n', '"5","6"\n'])
    join_exports([tmp_path / "a", tmp_path / "b"], tmp_path / "joined")
    text = (tmp_path / "joined" / f"{SOURCES[0].internal_dataset_id}.csv").read_text()
    assert text == 'x,y\n"1","2"\n"3","4"\n"5","6"\n'


def test_parts_with_different_headers_are_refused(tmp_path):
    _write_part(tmp_path / "a", "x,y\n", [])
    _write_part(tmp_path / "b", "y,x\n", [])
    with pytest.raises(ValueError, match="another header"):
        join_exports([tmp_path / "a", tmp_path / "b"], tmp_path / "joined")
