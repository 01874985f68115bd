"""What a benchmark figure is, and the registry of figures `civic-bench` runs.

A figure is a function of the run's shared context that returns rows of (name, value, unit or
comment) and, when its target is missed or it could not be measured, a message saying so. To
add one (delta publish, sensor cost, ...), write a module with such a function and list it in
`FIGURES`; `--only NAME` runs it alone.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import IntEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tooling.benchmark.context import BenchContext


class Status(IntEnum):
    """A figure's verdict, which is also the command's exit status (the worst one wins)."""

    MET = 0  # measured, and the target holds
    MISSED = 1  # measured, and the target does not hold
    ERROR = 2  # could not be measured (a build or a contract could not run)


@dataclass(frozen=True)
class Row:
    """One printed line: a value is a number or a short text; `unit` also carries a comment."""

    name: str
    value: float | int | str
    unit: str = ""


@dataclass(frozen=True)
class FigureResult:
    rows: tuple[Row, ...]
    status: Status = Status.MET
    message: str = ""  # why the target was missed or the figure not measured
    results: dict[str, float | int | str] = field(default_factory=dict)  # results.json keys


@dataclass(frozen=True)
class Figure:
    name: str
    title: str
    measure: Callable[[BenchContext], FigureResult] = field(repr=False)


def history_figures() -> tuple[Figure, ...]:
    """The full-history figures `make bench` runs by default (SCALE= sizes the history).

    Imported here rather than at module level so a figure module may import this one.
    """
    from tooling.benchmark import (
        backfill,
        backfill_postgres,
        dagster_events,
        dbt_overhead,
        ingest,
        nightly,
    )

    return (
        ingest.FIGURE,
        backfill.FIGURE,
        backfill_postgres.FIGURE,
        dagster_events.FIGURE,
        dbt_overhead.FIGURE,
        nightly.FIGURE,
    )


def span_figures() -> tuple[Figure, ...]:
    """The figures on a partition span of `--rows` rows (`make bench-span`)."""
    from tooling.benchmark import contracts_vs_dbt, delta_publish, sensor_cost

    return (contracts_vs_dbt.FIGURE, delta_publish.FIGURE, sensor_cost.FIGURE)


def registered_figures() -> tuple[Figure, ...]:
    """Every figure, in the order the table prints them."""
    return (*history_figures(), *span_figures())


def select(names: list[str] | None) -> tuple[Figure, ...]:
    """The figures named (the history figures when none), or KeyError naming unknown ones."""
    figures = registered_figures()
    if not names:
        return history_figures()
    known = {figure.name: figure for figure in figures}
    unknown = [name for name in names if name not in known]
    if unknown:
        raise KeyError(f"unknown figure {', '.join(unknown)}; known: {', '.join(known)}")
    return tuple(known[name] for name in names)
