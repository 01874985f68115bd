"""A new disposition code is signalled: named as a new code, and its quarantine rate warns
past a few calls and blocks the publish past a real share of the day; a normal day passes.

One warehouse built by dbt over three days of 40 calls each: a normal day, a day where 4
calls carry a disposition code the `dispositions` seed does not list, and one where 12 do
(with a new call type and a new district on one call each).
The checks run as Dagster runs them, partition by partition, against that warehouse.
"""

from __future__ import annotations

import json
from datetime import date, timedelta

import dagster as dg
import pytest

from orchestration.catalog import CALLS_FOR_SERVICE
from orchestration.defs.signals import (
    NEW_CODES,
    QUARANTINE_RATE,
    build_new_codes_check,
    build_quarantine_rate_check,
)
from orchestration.partitions import daily_partitions
from orchestration.warehouse.resource import WarehouseResource
from tests.warehouse_builder import dbt_build, raw_row, write_raw_rows

pytestmark = pytest.mark.integration  # builds a warehouse with dbt: not in make test-fast

NORMAL_DAY, FEW_NEW_DAY, MANY_NEW_DAY = date(2022, 1, 3), date(2022, 1, 4), date(2022, 1, 5)
NEW_CODE_CALLS = {NORMAL_DAY: 0, FEW_NEW_DAY: 4, MANY_NEW_DAY: 12}
CALLS_A_DAY = 40
NEW_CODE, NEW_TEXT = "ARR", "ARREST MADE ON SCENE"
REASON = "unknown disposition"
# On the day of many, one call each of a call type and a district no seed lists yet.
NEW_TYPE, NEW_TYPE_TEXT, NEW_DISTRICT = "21Z", "SCOOTER COMPLAINT", "9"


def calls_of(day: date, new_code_calls: int) -> list[dict]:
    """A day's ordinary closed calls, the first `new_code_calls` with the new code."""
    at = f"{day.isoformat()}T"
    rows = []
    for n in range(CALLS_A_DAY):
        fields = {
            "timecreate": f"{at}08:50:00.000",
            "timedispatch": f"{at}09:24:00.000",
            "timearrive": f"{at}09:33:00.000",
            "timeclosed": f"{at}09:49:00.000",
        }
        if n < new_code_calls:
            fields |= {"disposition": NEW_CODE, "dispositiontext": NEW_TEXT}
        elif day == MANY_NEW_DAY and n == new_code_calls:
            fields |= {"type": NEW_TYPE, "typetext": NEW_TYPE_TEXT}
        elif day == MANY_NEW_DAY and n == new_code_calls + 1:
            fields |= {"policedistrict": NEW_DISTRICT}
        exported = f"{(day + timedelta(days=1)).isoformat()}T06:00:00.000Z"
        rows.append(raw_row(f"A{day.day:02d}{n:03d}22", exported, **fields))
    return rows


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    path = tmp_path_factory.mktemp("signals") / "warehouse.duckdb"
    for day, new_code_calls in NEW_CODE_CALLS.items():
        write_raw_rows(path, calls_of(day, new_code_calls), day)
    result = dbt_build(path, NORMAL_DAY, MANY_NEW_DAY + timedelta(days=1))
    assert result.returncode == 0, result.stdout[-3000:]
    return path


@pytest.fixture(scope="module")
def checks():
    return [
        build_quarantine_rate_check(CALLS_FOR_SERVICE),
        build_new_codes_check(CALLS_FOR_SERVICE),
    ]


def stand_in(key: dg.AssetKey) -> dg.AssetsDefinition:
    """An asset of the key dbt builds, already built here: the checks run after it."""

    @dg.asset(key=key, partitions_def=daily_partitions)
    def built() -> None:
        return None

    return built


@pytest.fixture(scope="module")
def evaluations(warehouse, checks):
    """Each day's evaluations of the two checks, by day and check name."""
    stand_ins = [
        stand_in(key)
        for key in (
            CALLS_FOR_SERVICE.published.mart_asset_key,
            dg.AssetKey("audit_calls_for_service_row_fates"),
        )
    ]
    by_day = {}
    with dg.instance_for_test() as instance:
        for day in NEW_CODE_CALLS:
            result = dg.materialize(
                [*stand_ins, *checks],
                partition_key=day.isoformat(),
                instance=instance,
                resources={"warehouse": WarehouseResource(path=str(warehouse))},
                raise_on_error=False,
            )
            by_day[day] = {e.check_name: e for e in result.get_asset_check_evaluations()}
    return by_day


def test_a_normal_day_passes_the_quarantine_rate_and_the_new_code_checks(evaluations):
    assert {name: e.passed for name, e in evaluations[NORMAL_DAY].items()} == {
        QUARANTINE_RATE: True,
        NEW_CODES: True,
    }


def test_a_new_disposition_code_warns_naming_the_code_its_source_text_and_row_count(
    evaluations,
):
    evaluation = evaluations[FEW_NEW_DAY][NEW_CODES]
    assert not evaluation.passed
    assert evaluation.severity == dg.AssetCheckSeverity.WARN
    assert evaluation.metadata["new_codes"].value == [
        {
            "field": "disposition",
            "code": NEW_CODE,
            "source_text": NEW_TEXT,
            "rows": 4,
            "fates": {"quarantined": 4},
        }
    ]
    assert f"disposition {NEW_CODE} ({NEW_TEXT}): 4 rows" in evaluation.description


def test_a_new_call_type_and_a_new_district_are_named_too(evaluations):
    found = {
        (code["field"], code["code"]): (code["source_text"], code["rows"], code["fates"])
        for code in evaluations[MANY_NEW_DAY][NEW_CODES].metadata["new_codes"].value
    }
    assert found == {
        ("disposition", NEW_CODE): (NEW_TEXT, 12, {"quarantined": 12}),
        ("type", NEW_TYPE): (NEW_TYPE_TEXT, 1, {"excluded": 1}),
        ("policedistrict", NEW_DISTRICT): (None, 1, {"quarantined": 1}),
    }


def test_a_few_calls_with_a_new_disposition_warn_on_the_quarantine_rate(evaluations):
    evaluation = evaluations[FEW_NEW_DAY][QUARANTINE_RATE]
    assert not evaluation.passed
    assert evaluation.severity == dg.AssetCheckSeverity.WARN
    reason = evaluation.metadata["by_reason"].value[REASON]
    assert (reason["records"], reason["worst_day_rate"], reason["verdict"]) == (4, 0.1, "warns")


def test_many_calls_with_a_new_disposition_block_the_publish(evaluations, checks):
    evaluation = evaluations[MANY_NEW_DAY][QUARANTINE_RATE]
    assert not evaluation.passed
    assert evaluation.severity == dg.AssetCheckSeverity.ERROR
    assert evaluation.metadata["by_reason"].value[REASON]["records"] == 12
    assert evaluation.description.startswith("blocks the publish: unknown disposition: 12 of 40")
    (spec,) = checks[0].check_specs
    assert spec.blocking and spec.asset_key == CALLS_FOR_SERVICE.published.mart_asset_key


def test_the_quarantine_rate_metadata_holds_counts_never_row_values(evaluations):
    evaluation = evaluations[MANY_NEW_DAY][QUARANTINE_RATE]
    text = json.dumps({k: v.value for k, v in evaluation.metadata.items()})
    assert "A05" not in text and NEW_TEXT not in text and "Boudreaux" not in text
