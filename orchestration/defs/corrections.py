"""Stewards' corrections as Dagster jobs, and the sensor that applies them to the history.

`record_correction`: its run config is the decision (launched from the UI's launchpad);
`import_corrections`: a CSV file of decisions (orchestration/corrections/batch.py). Both
validate before writing and append to `stewards.corrections` (the `stewards_corrections`
asset), and both take the warehouse's run lock, so a decision never lands between a run's
build and its publish.

Recording does not rebuild anything itself. The `apply_corrections` sensor sees decisions
recorded since its cursor and requests one `reapply_privacy_rules` run over every day that
holds data (orchestration/publishing/reapply.py): the rule tables rebuilt with the decisions,
the marts rebuilt, the blocking contract checks over the range, and the difference published,
so a decision that makes rows private withdraws them from every published day through the
gate, and a canonical text reaches every day that carries the code. A sensor rather than a
step of the recording jobs: both entry points (and a decision written by any other means)
are covered the same way, a batch of decisions costs one rebuild, not one each, and the
rebuild goes through the run queue like any run instead of nesting inside the recording run.
"""

from collections.abc import Callable, Collection
from datetime import date
from enum import Enum
from pathlib import Path

import dagster as dg
import duckdb
from pydantic import Field

from orchestration.corrections.batch import InvalidBatch, read_batch
from orchestration.corrections.decisions import KINDS, Decision, InvalidDecision, validate
from orchestration.corrections.table import (
    CORRECTIONS_ASSET_KEY,
    TABLE,
    known_codes,
    record,
)
from orchestration.defs.policies import OWNERS
from orchestration.defs.reapply import REAPPLY_JOB
from orchestration.partitions import daily_partitions
from orchestration.publishing.reapply import history_span, range_tags
from orchestration.warehouse.resource import WarehouseResource, open_when_free
from orchestration.warehouse.sql import table_exists

SENSOR_NAME = "apply_corrections"
SENSOR_INTERVAL_S = 60
# A sensor waits this long for a run's hold on the warehouse file, then looks again later.
SENSOR_FILE_LOCK_TIMEOUT_S = 10.0

stewards_corrections = dg.AssetSpec(
    key=CORRECTIONS_ASSET_KEY,
    group_name="stewards",
    owners=OWNERS,
    description=(
        "The data stewards' decisions (stewards.corrections): canonical texts, new codes "
        "with their juvenile and sensitive-location classification, suspected duplicates "
        "confirmed or rejected, rows withheld. Recorded by the record_correction and "
        "import_corrections jobs; dbt reads them beside the seeds (models/rules/)."
    ),
)


# The kinds as a choice in the launchpad rather than free text.
CorrectionKind = Enum("CorrectionKind", {kind: kind for kind in KINDS}, type=str)


class CorrectionConfig(dg.Config):
    """One decision. Who and why are required of every kind; the rest depends on the kind."""

    steward: str = Field(description="Who decides: the steward's name or account.")
    reason: str = Field(description="Why: what the steward checked, in a sentence.")
    kind: CorrectionKind = Field(
        description="canonical_text, new_code, duplicate_event or withheld_row.",
    )
    dataset: str = Field(default="calls_for_service", description="The dataset decided on.")
    code: str | None = Field(
        default=None, description="canonical_text, new_code: the call type code."
    )
    source_text: str | None = Field(
        default=None, description="canonical_text: the source's spelling being corrected."
    )
    public_text: str | None = Field(
        default=None, description="canonical_text, new_code: the text to publish for the code."
    )
    is_juvenile: bool | None = Field(
        default=None, description="new_code: the code names a juvenile case (never published)."
    )
    is_sensitive_location: bool | None = Field(
        default=None,
        description="new_code: the code is a sensitive location (published without coordinates).",
    )
    row_id: str | None = Field(
        default=None,
        description="duplicate_event: the later item; withheld_row: the row's nopd_item.",
    )
    duplicate_of: str | None = Field(
        default=None, description="duplicate_event: the item the event stays published under."
    )
    decision: str | None = Field(
        default=None,
        description="duplicate_event: confirmed or rejected; withheld_row: withhold or release.",
    )


class ImportConfig(dg.Config):
    path: str = Field(description="A CSV file of decisions, one a line, readable by the run.")


def _record(
    context: dg.OpExecutionContext,
    warehouse: WarehouseResource,
    decide: Callable[[Collection[str]], list[Decision]],
) -> list[str]:
    """Validate (`decide`, given the codes already classified) and record, in one connection:
    the run holds the warehouse, so what was validated against is what is written beside."""
    with warehouse.connect() as connection:
        try:
            decisions = decide(known_codes(connection))
        except (InvalidDecision, InvalidBatch) as error:
            # The steward's own words for what to fix, as the run's failure in the UI.
            raise dg.Failure(description=str(error)) from error
        ids = record(connection, decisions)
    for correction_id, decision in zip(ids, decisions, strict=True):
        context.log.info(
            f"recorded {correction_id}: {decision.kind} {decision.subject} "
            f"by {decision.steward} ({decision.reason})"
        )
    context.log_event(
        dg.AssetMaterialization(
            asset_key=CORRECTIONS_ASSET_KEY,
            description=f"{len(ids)} decision{'' if len(ids) == 1 else 's'} recorded",
            metadata={
                "decisions": dg.MetadataValue.md(_decision_table(ids, decisions)),
                "decisions_recorded": len(ids),
            },
        )
    )
    return ids


def _decision_table(ids: list[str], decisions: list[Decision]) -> str:
    lines = ["| id | kind | subject | steward | reason |", "| --- | --- | --- | --- | --- |"]
    for correction_id, d in zip(ids, decisions, strict=True):
        cells = [correction_id, d.kind, d.subject, d.steward, d.reason]
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(lines)


@dg.op(name="record_decision")
def record_decision(
    context: dg.OpExecutionContext, config: CorrectionConfig, warehouse: WarehouseResource
) -> None:
    """Validate the run config's decision and append it to stewards.corrections."""
    fields = {**config.model_dump(), "kind": CorrectionKind(config.kind).value}
    _record(context, warehouse, lambda codes: [validate(fields, codes)])


@dg.op(name="import_decisions")
def import_decisions(
    context: dg.OpExecutionContext, config: ImportConfig, warehouse: WarehouseResource
) -> None:
    """Validate every line of the CSV file, then append them all (or none)."""
    _record(context, warehouse, lambda codes: read_batch(Path(config.path), codes))


@dg.job(
    name="record_correction",
    description=(
        "A data steward's decision, given as the run config (who, why, the kind and its "
        "fields), validated and recorded in stewards.corrections. The apply_corrections "
        "sensor then rebuilds and republishes the history with it."
    ),
    tags={"civic/steward": "correction"},
)
def record_correction_job() -> None:
    record_decision()


@dg.job(
    name="import_corrections",
    description=(
        "A batch of stewards' decisions from a CSV file (run config `path`), every line "
        "validated, all recorded or none. `make import-corrections CSV=...` launches it."
    ),
    tags={"civic/steward": "correction"},
)
def import_corrections_job() -> None:
    import_decisions()


def unapplied_corrections(
    connection: duckdb.DuckDBPyConnection, cursor: str | None
) -> tuple[str | None, int]:
    """The newest correction id past `cursor`, and how many were recorded past it. Ids start
    with their UTC recording time, so they sort in recording order."""
    if not table_exists(connection, TABLE):
        return None, 0
    newest, count = connection.execute(
        f"select max(correction_id), count(*) from {TABLE} where correction_id > ?",
        [cursor or ""],
    ).fetchone()
    return newest, count


@dg.sensor(
    name=SENSOR_NAME,
    job_name=REAPPLY_JOB,
    minimum_interval_seconds=SENSOR_INTERVAL_S,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description=(
        "Requests one reapply_privacy_rules run over every day holding data when stewards "
        "recorded decisions since its last look: what became private is withdrawn from "
        "every published day through the blocking checks, corrected texts are republished."
    ),
)
def apply_corrections(
    context: dg.SensorEvaluationContext, warehouse: WarehouseResource
) -> dg.SensorResult | dg.SkipReason:
    if not Path(warehouse.path).exists():
        return dg.SkipReason("no warehouse yet")
    try:
        connection = open_when_free(warehouse.path, True, SENSOR_FILE_LOCK_TIMEOUT_S)
    except duckdb.IOException as error:
        return dg.SkipReason(f"the warehouse is busy; looking again later ({error})")
    try:
        newest, count = unapplied_corrections(connection, context.cursor)
        span = history_span(connection) if newest else None
    finally:
        connection.close()
    if newest is None:
        return dg.SkipReason("no decisions recorded since the last look")
    if span is None:
        context.log.info(f"{count} decisions recorded; no day holds data to rebuild yet")
        return dg.SensorResult(cursor=newest)
    first, last = span
    last = min(last, date.fromisoformat(daily_partitions.get_last_partition_key()))
    context.log.info(f"{count} decisions recorded up to {newest}: reapplying {first}..{last}")
    return dg.SensorResult(
        run_requests=[
            dg.RunRequest(
                run_key=f"corrections-through-{newest}",
                tags={
                    **range_tags(first, last),
                    "civic/trigger": f"stewards' corrections up to {newest}",
                },
            )
        ],
        cursor=newest,
    )


def build_corrections_definitions() -> dict[str, list]:
    """The asset, jobs and sensor, for the code location to add."""
    return {
        "assets": [stewards_corrections],
        "jobs": [record_correction_job, import_corrections_job],
        "sensors": [apply_corrections],
    }
