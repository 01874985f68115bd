"""Coordinates generalized to the block, in the form the city publishes them.

The city publishes MapX/MapY in the Louisiana South state plane (NAD83, US feet, EPSG:3452)
and `location` as a WKT point. Projecting by hand is easy to get subtly wrong, so pyproj does
it, vectorised over whole columns. A point is snapped to the centre of a grid cell about a
block wide, so a published point tells no more than the block.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
import pyarrow as pa
from pyproj import Transformer

WGS84 = "EPSG:4326"
LOUISIANA_SOUTH_FTUS = "EPSG:3452"


@cache
def _to_state_plane() -> Transformer:
    return Transformer.from_crs(WGS84, LOUISIANA_SOUTH_FTUS, always_xy=True)


@cache
def _from_state_plane() -> Transformer:
    return Transformer.from_crs(LOUISIANA_SOUTH_FTUS, WGS84, always_xy=True)


@dataclass(frozen=True)
class BlockCoordinates:
    """Per input point: snapped state-plane x/y (feet) and their WGS84 longitude/latitude.

    NaN where the input had no usable point (missing, zero, or not projectable).
    """

    map_x: np.ndarray
    map_y: np.ndarray
    longitude: np.ndarray
    latitude: np.ndarray


def to_state_plane(longitude: np.ndarray, latitude: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    x, y = _to_state_plane().transform(
        np.asarray(longitude, dtype=float), np.asarray(latitude, dtype=float)
    )
    return np.asarray(x, dtype=float), np.asarray(y, dtype=float)


def snap_to_grid(values: np.ndarray, grid_feet: float) -> np.ndarray:
    """The centre of the grid cell each value falls in."""
    return np.floor(values / grid_feet) * grid_feet + grid_feet / 2


def block_coordinates(
    longitude: np.ndarray, latitude: np.ndarray, grid_feet: float
) -> BlockCoordinates:
    if grid_feet <= 0:
        raise ValueError(f"grid_feet must be positive, got {grid_feet}")
    longitude = np.asarray(longitude, dtype=float)
    latitude = np.asarray(latitude, dtype=float)
    usable = np.isfinite(longitude) & np.isfinite(latitude) & (longitude != 0) & (latitude != 0)
    x, y = to_state_plane(np.where(usable, longitude, np.nan), np.where(usable, latitude, np.nan))
    usable &= np.isfinite(x) & np.isfinite(y)
    map_x = np.where(usable, snap_to_grid(x, grid_feet), np.nan)
    map_y = np.where(usable, snap_to_grid(y, grid_feet), np.nan)
    block_longitude, block_latitude = _from_state_plane().transform(map_x, map_y)
    return BlockCoordinates(
        map_x=map_x,
        map_y=map_y,
        longitude=np.where(usable, np.asarray(block_longitude, dtype=float), np.nan),
        latitude=np.where(usable, np.asarray(block_latitude, dtype=float), np.nan),
    )


def block_coordinates_table(points: pa.Table, grid_feet: float) -> pa.Table:
    """`source_row_id, longitude, latitude` in; the block coordinates of each row out.

    The shape every `int_<source>_block_located` dbt Python model returns: snapped state-plane
    `map_x`/`map_y` (integer feet) and the `block_longitude`/`block_latitude` of that point.
    """
    located = block_coordinates(
        points.column("longitude").to_numpy(zero_copy_only=False),
        points.column("latitude").to_numpy(zero_copy_only=False),
        grid_feet,
    )

    def column(values: np.ndarray, kind: pa.DataType) -> pa.Array:
        return pa.array(values, mask=np.isnan(values), type=pa.float64()).cast(kind)

    return pa.table(
        {
            "source_row_id": points.column("source_row_id"),
            "map_x": column(located.map_x, pa.int32()),
            "map_y": column(located.map_y, pa.int32()),
            "block_longitude": column(located.longitude, pa.float64()),
            "block_latitude": column(located.latitude, pa.float64()),
        }
    )
