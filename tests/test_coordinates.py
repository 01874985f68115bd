"""Coordinates are published in the city's state plane, no finer than the block."""

from __future__ import annotations

import math

import numpy as np
import pytest

from orchestration.warehouse.coordinates import block_coordinates, snap_to_grid, to_state_plane

# A real 2022 row: published MapX/MapY and its Location, as the city computed them.
CITY_LONGITUDE, CITY_LATITUDE = -90.03437791, 29.98765875
CITY_MAPX, CITY_MAPY = 3692036, 543335


def test_projection_matches_the_citys_published_state_plane_coordinates():
    x, y = to_state_plane(np.array([CITY_LONGITUDE]), np.array([CITY_LATITUDE]))
    assert round(float(x[0])) == CITY_MAPX
    assert round(float(y[0])) == CITY_MAPY


def test_points_in_the_same_grid_cell_publish_the_same_coordinates():
    # Two houses about 60 feet apart on the same block.
    longitudes = np.array([-90.034378, -90.034200])
    latitudes = np.array([29.987659, 29.987659])
    located = block_coordinates(longitudes, latitudes, grid_feet=300)
    assert located.map_x[0] == located.map_x[1]
    assert located.map_y[0] == located.map_y[1]


def test_published_point_is_the_centre_of_its_cell_within_half_a_cell():
    x, y = to_state_plane(np.array([CITY_LONGITUDE]), np.array([CITY_LATITUDE]))
    located = block_coordinates(np.array([CITY_LONGITUDE]), np.array([CITY_LATITUDE]), 300)
    assert abs(located.map_x[0] - x[0]) <= 150
    assert abs(located.map_y[0] - y[0]) <= 150
    assert (located.map_x[0] - 150) % 300 == 0


def test_missing_and_zero_points_publish_no_coordinates():
    located = block_coordinates(np.array([np.nan, 0.0]), np.array([29.9, 0.0]), 300)
    assert np.isnan(located.map_x).all()
    assert np.isnan(located.longitude).all()


def test_snap_to_grid_returns_cell_centres():
    assert list(snap_to_grid(np.array([0.0, 299.9, 300.0]), 300)) == [150.0, 150.0, 450.0]


def test_grid_must_be_positive():
    with pytest.raises(ValueError, match="positive"):
        block_coordinates(np.array([CITY_LONGITUDE]), np.array([CITY_LATITUDE]), 0)


def test_block_point_converts_back_near_the_original_point():
    located = block_coordinates(np.array([CITY_LONGITUDE]), np.array([CITY_LATITUDE]), 300)
    # A degree of latitude is about 364,000 feet: half a 300-foot cell diagonal is < 0.001 deg.
    assert math.isclose(located.longitude[0], CITY_LONGITUDE, abs_tol=0.001)
    assert math.isclose(located.latitude[0], CITY_LATITUDE, abs_tol=0.001)
