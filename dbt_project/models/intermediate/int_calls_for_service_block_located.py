"""coarsen_coordinates_to_block: each call's point generalized to its block.

A Python model because the projection to the Louisiana South state plane comes from pyproj
(see orchestration/warehouse/coordinates.py), computed over whole columns at once.
"""

import pyarrow as pa

from orchestration.warehouse.coordinates import block_coordinates


def model(dbt, session):
    dbt.config(materialized="table")
    grid_feet = float(dbt.config.get("block_grid_feet"))
    points = (
        dbt.ref("int_calls_for_service_normalized")
        .project("source_row_id, longitude, latitude")
        .fetch_arrow_table()
    )
    located = block_coordinates(
        points.column("longitude").to_numpy(zero_copy_only=False),
        points.column("latitude").to_numpy(zero_copy_only=False),
        grid_feet,
    )

    def column(values, kind):
        return pa.array(values, mask=~(values == values), type=pa.float64()).cast(kind)

    return pa.table(
        {
            "source_row_id": points.column("source_row_id"),
            "map_x": column(located.map_x, pa.int32()),
            "map_y": column(located.map_y, pa.int32()),
            "block_longitude": column(located.longitude, pa.float64()),
            "block_latitude": column(located.latitude, pa.float64()),
        }
    )
