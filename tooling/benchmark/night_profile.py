"""Where the night touches history: each step and dbt node of the nightly run, on the
full-history deployment against the one-month deployment.

A night that costs more on fifteen years than on one month reads something that grows with
the archive, and this table names it. Steps are Dagster's (each ingest, dbt step, contract
check, review packet and publish, as the run's STEP_SUCCESS events time them); nodes are
dbt's (each model and test, as dagster-dbt reports its "Execution Duration"), both from the
run's summary (tooling/benchmark/run_job.py). Rows are ordered by how many seconds more the
full deployment took; the largest are printed, and the rest summed on one line.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from tooling.benchmark.figures import Row

SHOWN = 25
NAME_WIDTH = 64


@dataclass(frozen=True)
class Timed:
    """One step or node, its seconds on the full and the one-month deployment."""

    name: str
    full_s: float
    month_s: float

    @property
    def grown_s(self) -> float:
        return self.full_s - self.month_s


def timed_parts(summary: Mapping[str, Any]) -> dict[str, float]:
    """A run's steps and dbt nodes by a short name: `step <key>`, `<type> <node name>`."""
    parts = {f"step {key}": float(s) for key, s in summary.get("step_seconds", {}).items()}
    for unique_id, seconds in summary.get("node_seconds", {}).items():
        kind, _, rest = unique_id.partition(".")
        name = rest.split(".", 1)[-1]  # drop the project's name
        parts[f"{kind} {name}"] = float(seconds)
    return parts


def compare(full: Mapping[str, Any], month: Mapping[str, Any]) -> list[Timed]:
    """Every step and node of either run, the most grown first."""
    full_parts, month_parts = timed_parts(full), timed_parts(month)
    names = set(full_parts) | set(month_parts)
    timed = [Timed(n, full_parts.get(n, 0.0), month_parts.get(n, 0.0)) for n in names]
    return sorted(timed, key=lambda t: (-t.grown_s, t.name))


def _short(name: str) -> str:
    return name if len(name) <= NAME_WIDTH else name[: NAME_WIDTH - 1] + "…"


def profile_rows(full: Mapping[str, Any], month: Mapping[str, Any]) -> tuple[Row, ...]:
    """The table `make bench` prints under the nightly figure."""
    timed = compare(full, month)
    if not timed:
        return (Row("per step and node", "not recorded", "(the runs printed no timings)"),)
    rows = [Row("per step and node, most grown first", "full s", "one month s, grown s")]
    rows += [
        Row(f"  {_short(t.name)}", round(t.full_s, 2), f"{t.month_s:.2f}, {t.grown_s:+.2f}")
        for t in timed[:SHOWN]
    ]
    rest = timed[SHOWN:]
    if rest:
        rows.append(
            Row(
                f"  {len(rest)} more",
                round(sum(t.full_s for t in rest), 2),
                f"{sum(t.month_s for t in rest):.2f}, {sum(t.grown_s for t in rest):+.2f}",
            )
        )
    return tuple(rows)


def most_grown(full: Mapping[str, Any], month: Mapping[str, Any]) -> Timed | None:
    timed = compare(full, month)
    return timed[0] if timed else None
