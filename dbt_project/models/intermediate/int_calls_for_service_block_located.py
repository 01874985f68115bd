"""coarsen_coordinates_to_block: each call's point generalized to its block.

A Python model because the projection to the Louisiana South state plane comes from pyproj
(see orchestration/warehouse/coordinates.py), computed over whole columns at once.
"""

from orchestration.warehouse.coordinates import block_coordinates_table


def model(dbt, session):
    dbt.config(materialized="table")
    points = (
        dbt.ref("int_calls_for_service_normalized")
        .project("source_row_id, longitude, latitude")
        .fetch_arrow_table()
    )
    # A two-foot grid leaves the point all but exact: only ever set by the test that switches
    # each privacy rule off (privacy_rules_off in dbt_project.yml).
    rule_off = str(dbt.config.get("coarsen_coordinates_to_block_off")) == "True"
    grid_feet = 2.0 if rule_off else float(dbt.config.get("block_grid_feet"))
    return block_coordinates_table(points, grid_feet)
