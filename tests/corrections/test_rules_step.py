"""The reviewed rule tables are built in the rules step every lane follows, never in a lane."""

from __future__ import annotations

import dagster as dg

from orchestration.defs.transform import build_dbt_models

REVIEWED = {
    "corrections_in_effect",
    "call_types_reviewed",
    "juvenile_call_types_reviewed",
    "sensitive_location_call_types_reviewed",
    "withheld_rows_reviewed",
}


def test_the_rules_step_builds_the_seeds_and_the_reviewed_rule_tables_and_nothing_else():
    rules, *lanes = build_dbt_models()
    built = {key.to_user_string() for key in rules.keys}
    assert built >= REVIEWED
    assert {"call_types", "juvenile_call_types"} <= built
    assert not {name for name in built if name.startswith(("stg_", "int_", "audit_"))}
    assert not {"calls_for_service", "police_response_times"} & built  # no mart
    for lane in lanes:
        assert not REVIEWED & {key.to_user_string() for key in lane.keys}, lane.node_def.name


def test_the_reviewed_tables_read_the_stewards_corrections_asset():
    rules, *_ = build_dbt_models()
    deps = rules.asset_deps[dg.AssetKey("corrections_in_effect")]
    assert dg.AssetKey("stewards_corrections") in deps
