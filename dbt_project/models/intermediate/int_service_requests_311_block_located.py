"""coarsen_311_coordinates_to_block: each request's point generalized to its block.

Used only when the catalog publishes 311 addresses at block precision. A Python model because
the projection to the Louisiana South state plane comes from pyproj (see
orchestration/warehouse/coordinates.py).
"""

from orchestration.warehouse.coordinates import block_coordinates_table


def model(dbt, session):
    dbt.config(materialized="table")
    points = (
        dbt.ref("int_service_requests_311_repeats_flagged")
        .project("source_row_id, longitude, latitude")
        .fetch_arrow_table()
    )
    return block_coordinates_table(points, float(dbt.config.get("block_grid_feet")))
