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
    return block_coordinates_table(points, float(dbt.config.get("block_grid_feet")))
