"""Where a day's calls happened, drawn as arrays: highway, intersection or numbered address.

The internal export carries the exact address (``3021 Oliver White Ave``), which the pipeline
must reduce to a block and whose coordinates it must obscure, so the parts agree with each
other: a house number lies within its segment's blocks, its point is interpolated along the
whole street, and the same address always gets the same point (its jitter is a hash of street
and number, not a draw).
"""

from __future__ import annotations

import numpy as np

from tooling.generator.call_tables import ANCHOR_STRIDE, PlaceTables
from tooling.generator.draws import Uniforms, mix, unit

# Spread around a street's line or a highway point, in degrees (about 15 m and 100 m).
HOUSE_JITTER = 0.0003
HIGHWAY_JITTER = 0.002
HIGHWAY, INTERSECTION, NUMBERED = 0, 1, 2


def draw_places(u: Uniforms, places: PlaceTables, rates: dict[str, float]) -> dict:
    """Per call: kind, point or street and number, beat, zip, district, latitude, longitude.

    Ungeocoded calls keep their beat and address but get district 0 and no zip or point.
    """
    u_kind, u_intersection = u(), u()
    kind = np.where(
        u_kind < rates["highway_share"],
        HIGHWAY,
        np.where(u_intersection < rates["intersection_share"], INTERSECTION, NUMBERED),
    )
    u_beat, u_highway, u_point, u_segment, u_number = u(), u(), u(), u(), u()
    jitter = (u() - 0.5) * HIGHWAY_JITTER, (u() - 0.5) * HIGHWAY_JITTER
    ungeocoded = u() < rates["ungeocoded_share"]
    n = len(kind)
    point = np.zeros(n, dtype=np.int64)
    segment = np.zeros(n, dtype=np.int64)
    number = np.zeros(n, dtype=np.int64)
    lat, lon = np.zeros(n), np.zeros(n)

    at = np.flatnonzero(kind == HIGHWAY)
    point[at] = places.highway_points[places.highway.pick(u_highway[at])]
    lat[at] = places.point_lat[point[at]] + jitter[0][at]
    lon[at] = places.point_lon[point[at]] + jitter[1][at]

    at = np.flatnonzero(kind == INTERSECTION)
    point[at] = places.intersection.pick(u_point[at], places.beat_choice.pick(u_beat[at]))
    lat[at], lon[at] = places.point_lat[point[at]], places.point_lon[point[at]]

    at = np.flatnonzero(kind == NUMBERED)
    segment[at] = places.segment.pick(u_segment[at], places.beat_choice.pick(u_beat[at]))
    low = places.segment_lo[segment[at]]
    span = places.segment_hi[segment[at]] - low + 100
    number[at] = np.maximum(1, low + (u_number[at] * span).astype(np.int64))
    street = places.segment_street[segment]
    lat[at], lon[at] = _on_street(places, street[at], number[at])

    numbered = kind == NUMBERED
    return {
        "place_kind": kind,
        "place_name": places.point_name[point],
        "place_street": street,
        "place_number": number,
        "beat": np.where(numbered, places.segment_beat[segment], places.point_beat[point]),
        "zip": np.where(
            ungeocoded, -1, np.where(numbered, places.segment_zip[segment], places.point_zip[point])
        ),
        "district": np.where(
            ungeocoded,
            0,
            np.where(numbered, places.segment_district[segment], places.point_district[point]),
        ),
        "latitude": np.where(ungeocoded, np.nan, lat),
        "longitude": np.where(ungeocoded, np.nan, lon),
    }


def _on_street(
    places: PlaceTables, street: np.ndarray, number: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The point at each house number: interpolated along its street, clamped beyond its ends,
    plus a small jitter fixed by street and number."""
    key = street * ANCHOR_STRIDE + number.astype(np.float64)
    start, end = places.anchor_start[street], places.anchor_end[street]
    above = np.clip(np.searchsorted(places.anchor_keys, key, side="right"), start, end - 1)
    below = np.maximum(above - 1, start)
    low_key, high_key = places.anchor_keys[below], places.anchor_keys[above]
    width = high_key - low_key
    share = np.where(width > 0, (key - low_key) / np.where(width > 0, width, 1.0), 0.0)
    share = np.clip(share, 0.0, 1.0)
    lat = places.anchor_lat[below] + share * (places.anchor_lat[above] - places.anchor_lat[below])
    lon = places.anchor_lon[below] + share * (places.anchor_lon[above] - places.anchor_lon[below])
    hashed = mix(street, number)
    lat = lat + (unit(hashed) - 0.5) * HOUSE_JITTER
    lon = lon + (unit(mix(hashed, street)) - 0.5) * HOUSE_JITTER
    return lat, lon
