"""Where a call happened: the full internal address and a matching zip, district, beat and point.

The internal export carries the exact address (``3021 Oliver White Ave``), which the pipeline
must reduce to a block (``030XX Oliver White Ave``) and whose coordinates it must obscure. So
the generated parts have to agree with each other: a house number lies within its segment's
blocks, its point is interpolated along the street, and the same address always gets the same
point.
"""

from __future__ import annotations

from dataclasses import dataclass
from random import Random

from tooling.generator.reference import Point, Reference, Segment
from tooling.generator.sampling import stable_unit

# Spread around a street's line or a highway point, in degrees (about 15 m and 100 m).
_HOUSE_JITTER = 0.0003
_HIGHWAY_JITTER = 0.002


@dataclass(frozen=True, slots=True)
class Location:
    address: str
    beat: str
    zip: str | None
    policedistrict: str
    latitude: str | None
    longitude: str | None


def pick_location(rng: Random, ref: Reference) -> Location:
    """Draw a location: a highway, or else an intersection or a numbered address in a beat."""
    rates = ref.rates
    where: Segment | Point
    if rng.random() < rates["highway_share"]:
        where = ref.highways.pick(rng)
        address = where.name
        latitude = where.latitude + (rng.random() - 0.5) * _HIGHWAY_JITTER
        longitude = where.longitude + (rng.random() - 0.5) * _HIGHWAY_JITTER
    elif rng.random() < rates["intersection_share"]:
        where = ref.intersections[ref.beats.pick(rng)].pick(rng)
        address, latitude, longitude = where.name, where.latitude, where.longitude
    else:
        where = ref.segments[ref.beats.pick(rng)].pick(rng)
        span = where.block_hi - where.block_lo + 100
        number = max(1, where.block_lo + int(rng.random() * span))
        address = f"{number} {where.street}"
        latitude, longitude = ref.street_lines[where.street].at(number)
        latitude += (stable_unit(address + "|lat") - 0.5) * _HOUSE_JITTER
        longitude += (stable_unit(address + "|lon") - 0.5) * _HOUSE_JITTER
    if rng.random() < rates["ungeocoded_share"]:
        return Location(address, where.beat, None, "0", None, None)
    return Location(
        address, where.beat, where.zip, where.policedistrict, f"{latitude:.6f}", f"{longitude:.6f}"
    )
