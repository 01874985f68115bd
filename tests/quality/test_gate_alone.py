"""The second line alone: each privacy rule of the models switched off in turn, the contract
still stops what that rule removes.

One raw day carries a call for every defect class the calls-for-service rules remove: a
caller's name typed into the address, house numbers in the shapes the old mask missed, an
address with no safe form, a juvenile call under an ordinary code, a new code naming a
child, a new code naming nothing private, a sexual-assault call with coordinates, an open
call, a hand-typed type text. Built with every rule on, the mart passes its contract; built
with one rule off (dbt's `privacy_rules_off`, which nothing but this test sets), the check
written for that defect fails, and the gate publishes nothing when a blocking check fails
(tests/pipeline/test_quality_gate.py shows that half).
"""

from __future__ import annotations

from datetime import date

import pytest

from tests.warehouse_builder import contract_failures, dbt_build, raw_row, write_raw_rows

pytestmark = pytest.mark.integration  # builds warehouses with dbt: not in make test-fast

DAY = date(2022, 1, 1)
NEXT_DAY = date(2022, 1, 2)

JUVENILE = "no call the source ever typed as juvenile (its own codes and texts, any version)"
SENSITIVE = "no coordinates for a call the source typed as a sexual-offence or mental-health call"
ADDRESS = (
    "addresses only as hundred-blocks, intersections and reviewed named places "
    "(no other number, no unit)"
)
CALLER = "no caller name or phone of the window appears in any published column"
CLASSIFIED = "type_: a classified call type (a code of the rules seed)"
OPEN = "timeclosed: only closed calls are published"
CODE_TEXTS = "type and disposition texts exactly as the rule tables spell them for the code"
GRID = "coordinates no finer than the block grid (each point a grid cell's centre)"

# rule switched off -> the checks that must then fail (each the defect's own check)
RULES = {
    "drop_caller_contact_and_narrative": {CALLER},
    "mask_block_address": {ADDRESS},
    "withhold_unsafe_addresses": {ADDRESS},
    "exclude_juvenile_call_types": {JUVENILE},
    "withhold_unclassified_call_types": {CLASSIFIED},
    "suppress_coordinates_for_sensitive_types": {SENSITIVE},
    "exclude_open_calls": {OPEN},
    "publish_code_texts_from_rule_tables": {CODE_TEXTS},
    "coarsen_coordinates_to_block": {GRID},
}

ROWS = [
    raw_row("A0000122"),  # an ordinary call: what every build publishes
    raw_row("A0000222", address="3021 Oliver White Ave c/o Marie Boudreaux"),
    raw_row("A0000322", address="Approx Loc:7238 Downman Rd"),
    raw_row("A0000422", address="3021 Oliver White Ave Apt 4"),
    raw_row("A0000522", address="I-520 E"),
    raw_row("A0000622", type="21", typetext="Runaway juvenile"),
    raw_row(
        "A0000722",
        type="CHILDEND",
        typetext="CHILD ENDANGERMENT",
        initialtype="CHILDEND",
        initialtypetext="CHILD ENDANGERMENT",
    ),
    raw_row("A0000822", type="RAPE", typetext="SEXUAL ASSAULT"),
    raw_row("A0001122", type="NEWSIG", typetext="NEW SIGNAL"),
    raw_row("A0000922", timeclosed=None),
    raw_row("A0001022", type="94", typetext="DISCHARGING FIREARM AT 3021 OLIVER WHITE"),
]


@pytest.fixture(scope="module")
def raw_day(tmp_path_factory):
    path = tmp_path_factory.mktemp("gate_alone_raw") / "warehouse.duckdb"
    write_raw_rows(path, ROWS, DAY)
    return path


def built(raw_day, tmp_path, rules_off: list[str]):
    warehouse = tmp_path / "warehouse.duckdb"
    warehouse.write_bytes(raw_day.read_bytes())
    # Seeds and models only: dbt's own data tests would be a third line, and this test is
    # about what the contract alone stops.
    for command in ("seed", "run"):
        result = dbt_build(
            warehouse,
            DAY,
            NEXT_DAY,
            command=command,
            select="+calls_for_service",
            privacy_rules_off=rules_off,
        )
        assert result.returncode == 0, result.stdout[-3000:]
    return warehouse


def test_with_every_rule_on_the_contract_passes(raw_day, tmp_path):
    warehouse = built(raw_day, tmp_path, [])
    assert contract_failures(warehouse, "calls_for_service", DAY, NEXT_DAY) == set()


@pytest.mark.parametrize("rule", RULES)
def test_with_one_rule_off_its_check_alone_stops_the_day(raw_day, tmp_path, rule):
    warehouse = built(raw_day, tmp_path, [rule])
    failed = contract_failures(warehouse, "calls_for_service", DAY, NEXT_DAY)
    assert RULES[rule] <= failed, f"{rule} off: failed {sorted(failed)}"
