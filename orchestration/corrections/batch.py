"""A batch of decisions from a CSV file: every line validated, then all recorded or none.

The header names the decision's fields (the run config's of `record_correction`): steward,
reason, kind, dataset and the kind's own (code, source_text, public_text, is_juvenile,
is_sensitive_location, row_id, duplicate_of, decision). A column the batch does not know, a
missing required column, or any invalid line stops the whole batch with every problem named
by its line number: a batch recorded in part would leave the steward to find which half of
their review took effect.
"""

from __future__ import annotations

import csv
from collections.abc import Collection
from pathlib import Path

from orchestration.corrections.decisions import (
    KIND_FIELDS,
    Decision,
    InvalidDecision,
    validate,
)

REQUIRED_COLUMNS = ("steward", "reason", "kind", "dataset")
KNOWN_COLUMNS = {*REQUIRED_COLUMNS, *(name for names in KIND_FIELDS.values() for name in names)}


class InvalidBatch(ValueError):
    """A batch that cannot be recorded, naming each bad line."""


def read_batch(path: Path, known_codes: Collection[str] | None = None) -> list[Decision]:
    """The decisions of the CSV file at `path`, in its order, or InvalidBatch.

    A code a `new_code` line of the same batch classifies counts as known to a later
    `canonical_text` line.
    """
    codes = set(known_codes) if known_codes is not None else None
    with Path(path).open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        header = [name.strip() for name in reader.fieldnames or []]
        unknown = sorted(set(header) - KNOWN_COLUMNS)
        missing = [name for name in REQUIRED_COLUMNS if name not in header]
        if unknown or missing:
            raise InvalidBatch(
                f"{path}: line 1 (header): "
                + "; ".join(
                    [f"unknown column {name!r}" for name in unknown]
                    + [f"missing column {name!r}" for name in missing]
                )
            )
        reader.fieldnames = header
        decisions, problems = [], []
        for row in reader:
            line = reader.line_num
            if None in row:
                problems.append(f"line {line}: more values than the header has columns")
                continue
            if not any((value or "").strip() for value in row.values()):
                problems.append(f"line {line}: empty line")
                continue
            try:
                decision = validate(row, codes)
            except InvalidDecision as error:
                problems.append(f"line {line}: {error}")
                continue
            if decision.kind == "new_code" and codes is not None:
                codes.add(decision.code)
            decisions.append(decision)
    if problems:
        raise InvalidBatch(f"{path}: nothing recorded; " + " | ".join(problems))
    if not decisions:
        raise InvalidBatch(f"{path}: no decisions in the file")
    return decisions
