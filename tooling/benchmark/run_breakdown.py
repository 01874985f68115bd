"""Where a measured `daily_publish` run spent its time, step kind by step kind.

A figure that misses its target must say what bounds it. `run_job` records each step's
duration (Dagster's own STEP_SUCCESS durations) in its summary line, and dbt logs the time
of its own build (its nodes, after its start and parse); from those this splits a run's
wall time into ingest, dbt's build, what the dbt step spent beyond it (dbt's start and
parse, dagster-dbt's own adapter, column metadata, and storing one event per model and
day), the contract checks, the stewards' review packets, the publishes, and the rest (the
process's start and imports, Dagster's run set-up and its events between steps).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from tooling.benchmark.figures import Row

# The dbt steps: the rule tables' and each source's lane (orchestration/defs/transform.py).
DBT_STEP_PREFIX = "dbt_"
# The review packets (orchestration/defs/review.py): `review/<source>` runs as `review__<source>`.
REVIEW_STEP_PREFIX = "review__"
# dbt's closing line: "Finished running 7 incremental models, ... in 0 hours 0 minutes and
# 16.23 seconds (16.23s)."
_DBT_FINISHED = re.compile(r"Finished running .* \((\d+(?:\.\d+)?)s\)")


@dataclass(frozen=True)
class RunBreakdown:
    wall_s: float
    ingest_s: float
    dbt_build_s: float  # dbt's own builds, as dbt logs them
    dbt_step_s: float  # the whole dbt steps
    contracts_s: float
    publish_s: float
    review_s: float = 0.0

    @property
    def dbt_beyond_build_s(self) -> float:
        return max(self.dbt_step_s - self.dbt_build_s, 0.0)

    @property
    def rest_s(self) -> float:
        steps = self.ingest_s + self.dbt_step_s + self.contracts_s + self.publish_s + self.review_s
        return max(self.wall_s - steps, 0.0)

    def rows(self) -> tuple[Row, ...]:
        return (
            Row("    ingest steps", round(self.ingest_s, 1), "s"),
            Row("    dbt's own build", round(self.dbt_build_s, 1), "s"),
            Row(
                "    dbt step beyond it",
                round(self.dbt_beyond_build_s, 1),
                "s: dbt's start and parse, dagster-dbt, metadata, an event per model and day",
            ),
            Row("    contract checks", round(self.contracts_s, 1), "s"),
            Row("    review packets", round(self.review_s, 1), "s"),
            Row("    publish steps", round(self.publish_s, 1), "s"),
            Row("    the rest", round(self.rest_s, 1), "s: start, imports, Dagster between steps"),
        )

    def results(self, prefix: str) -> dict[str, float]:
        return {
            f"{prefix}_ingest_s": round(self.ingest_s, 1),
            f"{prefix}_dbt_build_s": round(self.dbt_build_s, 1),
            f"{prefix}_dbt_step_s": round(self.dbt_step_s, 1),
            f"{prefix}_contracts_s": round(self.contracts_s, 1),
            f"{prefix}_review_s": round(self.review_s, 1),
            f"{prefix}_publish_s": round(self.publish_s, 1),
        }


def dbt_build_seconds(log: Path) -> float:
    """The time dbt says its builds took (one per dbt step of the run's log), 0 if none."""
    text = log.read_text(errors="replace") if log.exists() else ""
    return round(sum(float(seconds) for seconds in _DBT_FINISHED.findall(text)), 2)


def is_history_check(step: str) -> bool:
    """A check of a published dataset's history (freshness, missing days), not a publish."""
    return step.endswith(("_newest_day_is_fresh", "_no_missing_days"))


def breakdown(wall_s: float, step_seconds: Mapping[str, float], log: Path) -> RunBreakdown:
    """Split a run's wall time by the kind of its steps (named as the definitions name them)."""

    def total(predicate) -> float:
        return sum(seconds for step, seconds in step_seconds.items() if predicate(step))

    return RunBreakdown(
        wall_s=wall_s,
        ingest_s=total(lambda step: step.startswith("raw_")),
        dbt_build_s=dbt_build_seconds(log),
        dbt_step_s=total(lambda step: step.startswith(DBT_STEP_PREFIX)),
        contracts_s=total(lambda step: step.endswith("_contract")),
        publish_s=total(lambda step: step.startswith("socrata__") and not is_history_check(step)),
        review_s=total(lambda step: step.startswith(REVIEW_STEP_PREFIX)),
    )
