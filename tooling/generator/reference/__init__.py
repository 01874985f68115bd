"""The reference tables the generator draws from, loaded once per process.

The CSVs beside this module are aggregates derived from real published rows by
``scripts/derive_generator_reference.py`` (plus the hand-written ``juvenile_types.csv``).
The tables and this loader form one package, so they ship together as its package data, and
they are read through ``importlib.resources`` so the generator works the same from a checkout
and from an installed wheel. Here they become ready-to-draw samplers, so the per-call loop does
no parsing.
"""

from __future__ import annotations

import csv
from bisect import bisect_right
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib.resources import files
from typing import TypeVar

from tooling.generator.sampling import Quantiles, Weighted

CAD_ERAS = ("old", "new")
P = TypeVar("P", "Segment", "Point")


@dataclass(frozen=True, slots=True)
class CallType:
    """One signal code of one CAD era and what calls of that code look like."""

    cad: str
    code: str
    text: str
    selfinitiated_share: float
    priorities: Weighted[str] | None
    initial_priorities: Weighted[str] | None
    dispositions: Weighted[str] | None


@dataclass(frozen=True, slots=True)
class Segment:
    """Part of a street inside one beat and zip: the house numbers a call there can have."""

    street: str
    beat: str
    policedistrict: str
    zip: str
    block_lo: int
    block_hi: int


@dataclass(frozen=True, slots=True)
class Point:
    """A location without house numbers: an intersection, a highway or a bridge."""

    name: str
    beat: str
    policedistrict: str
    zip: str
    latitude: float
    longitude: float


@dataclass(frozen=True, slots=True)
class StreetLine:
    """A street as points at known house numbers, across all its segments.

    Interpolating along the whole street (not one segment) gives an address the same point
    whichever beat or zip it was drawn for: streets such as Canal St bound several beats.
    """

    numbers: tuple[float, ...]
    latitudes: tuple[float, ...]
    longitudes: tuple[float, ...]

    def at(self, number: float) -> tuple[float, float]:
        """The point at a house number: interpolated between anchors, clamped beyond them."""
        index = bisect_right(self.numbers, number)
        if index == 0:
            return self.latitudes[0], self.longitudes[0]
        if index == len(self.numbers):
            return self.latitudes[-1], self.longitudes[-1]
        below, above = index - 1, index
        share = (number - self.numbers[below]) / (self.numbers[above] - self.numbers[below])
        return (
            _between(self.latitudes[below], self.latitudes[above], share),
            _between(self.longitudes[below], self.longitudes[above], share),
        )


def _between(start: float, end: float, share: float) -> float:
    return start + share * (end - start)


@dataclass(frozen=True)
class Reference:
    """Every table in draw-ready form, keyed the way the generator looks things up.

    ``types`` and the other type maps are keyed by ``(cad era, code)``; place pools by beat.
    """

    types: dict[tuple[str, str], CallType]
    final_types: dict[str, Weighted[CallType]]
    initial_codes: dict[tuple[str, str], Weighted[str]]
    test_types: dict[str, CallType]
    juvenile_types: dict[str, Weighted[CallType]]
    juvenile_reclassified: dict[tuple[str, str], CallType]
    disposition_texts: dict[str, str]
    beats: Weighted[str]
    segments: dict[str, Weighted[Segment]]
    street_lines: dict[str, StreetLine]
    intersections: dict[str, Weighted[Point]]
    highways: Weighted[Point]
    hourly: tuple[float, ...]
    weekday_factors: tuple[float, ...]
    calls_per_day: dict[int, int]
    durations: dict[tuple[str, str], Quantiles]
    misspellings: dict[str, Weighted[str]]
    new_cad_start: date
    rates: dict[str, float]


def _rows(name: str) -> list[dict[str, str]]:
    with files(__package__).joinpath(name).open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _call_types(rows: list[dict[str, str]]) -> dict[tuple[str, str], CallType]:
    return {
        (row["cad"], row["type"]): CallType(
            cad=row["cad"],
            code=row["type"],
            text=row["typetext"],
            selfinitiated_share=float(row["selfinitiated_share"] or 0),
            priorities=Weighted.parse(row["priorities"]),
            initial_priorities=Weighted.parse(row["initial_priorities"]),
            dispositions=Weighted.parse(row["dispositions"]),
        )
        for row in rows
    }


def _era_dispositions(rows: list[dict[str, str]], tests: set[str]) -> dict[str, Weighted[str]]:
    """All dispositions of an era pooled, for the hand-written juvenile types (no history)."""
    pooled: dict[str, Counter[str]] = {era: Counter() for era in CAD_ERAS}
    for row in rows:
        if row["type"] in tests or not row["dispositions"]:
            continue
        for item in row["dispositions"].split(";"):
            code, count = item.rsplit(":", 1)
            pooled[row["cad"]][code] += int(count)
    return {era: Weighted(counts.items()) for era, counts in pooled.items()}


def _segments() -> tuple[list[tuple[Segment, float]], dict[str, StreetLine]]:
    """Street segments with weights, and each street's line through its segments' end points.

    A segment's points are the mean location of its lowest and highest block; they sit near
    mid-block, so they are anchored at house number ``block + 50``.
    """
    segments = []
    anchors: dict[str, dict[float, list[tuple[float, float]]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for row in _rows("streets.csv"):
        segment = Segment(
            row["street"], row["beat"], row["policedistrict"], row["zip"],
            int(row["block_lo"]), int(row["block_hi"]),
        )  # fmt: skip
        segments.append((segment, float(row["weight"])))
        for end in ("lo", "hi"):
            number = int(row[f"block_{end}"]) + 50.0
            point = (float(row[f"lat_{end}"]), float(row[f"lon_{end}"]))
            anchors[segment.street][number].append(point)
    lines = {}
    for street, by_number in anchors.items():
        numbers = sorted(by_number)
        means = [_mean_point(by_number[number]) for number in numbers]
        lines[street] = StreetLine(
            tuple(numbers), tuple(lat for lat, _ in means), tuple(lon for _, lon in means)
        )
    return segments, lines


def _mean_point(points: list[tuple[float, float]]) -> tuple[float, float]:
    return sum(p[0] for p in points) / len(points), sum(p[1] for p in points) / len(points)


def _points(table: str, name: str) -> list[tuple[Point, float]]:
    points = []
    for row in _rows(table):
        latitude, longitude = float(row["latitude"]), float(row["longitude"])
        point = Point(
            row[name], row["beat"], row["policedistrict"], row["zip"], latitude, longitude
        )
        points.append((point, float(row["weight"])))
    return points


def _pools_by_beat(beats: list[str], places: list[tuple[P, float]]) -> dict[str, Weighted[P]]:
    """A sampler per beat; a beat without places of this kind borrows its district's."""
    by_beat: dict[str, list[tuple[P, float]]] = defaultdict(list)
    by_district: dict[str, list[tuple[P, float]]] = defaultdict(list)
    for place, weight in places:
        by_beat[place.beat].append((place, weight))
        by_district[place.beat[0]].append((place, weight))
    return {beat: Weighted(by_beat.get(beat) or by_district[beat[0]]) for beat in beats}


def _juvenile(
    types: dict[tuple[str, str], CallType], dispositions: dict[str, Weighted[str]]
) -> tuple[dict[str, Weighted[CallType]], dict[tuple[str, str], CallType]]:
    """Juvenile types per era, and the ordinary type each is reclassified to when it is.

    The juvenile types are also added to ``types`` so that any code in a row can be looked up.
    """
    juvenile: dict[str, list[tuple[CallType, float]]] = defaultdict(list)
    reclassified: dict[tuple[str, str], CallType] = {}
    for row in _rows("juvenile_types.csv"):
        key = (row["cad"], row["type"])
        priority = Weighted([(row["priority"], 1.0)])
        call_type = CallType(
            row["cad"], row["type"], row["typetext"], 0.0, priority, priority,
            dispositions[row["cad"]],
        )  # fmt: skip
        juvenile[row["cad"]].append((call_type, 1.0))
        reclassified[key] = types[(row["cad"], row["reclassified_to"])]
        types[key] = call_type
    return {era: Weighted(pairs) for era, pairs in juvenile.items()}, reclassified


@cache
def load_reference() -> Reference:
    """Parse every reference table once; the result is shared by all generator calls."""
    type_rows = _rows("call_types.csv")
    types = _call_types(type_rows)
    rates = {row["name"]: row["value"] for row in _rows("rates.csv")}
    test_codes = set(rates.pop("test_types").split(";"))
    test_types = {t.cad: t for t in types.values() if t.code in test_codes}
    final_types = {
        era: Weighted(
            (types[(era, row["type"])], float(row["weight"]))
            for row in type_rows
            if row["cad"] == era and row["type"] not in test_codes
        )
        for era in CAD_ERAS
    }
    initial: dict[tuple[str, str], list[tuple[str, float]]] = defaultdict(list)
    for row in _rows("reclassifications.csv"):
        initial[(row["cad"], row["type"])].append((row["initialtype"], float(row["count"])))
    juvenile, reclassified = _juvenile(types, _era_dispositions(type_rows, test_codes))

    beat_rows = _rows("beats.csv")
    segments, street_lines = _segments()
    beats = [row["beat"] for row in beat_rows]
    misspellings: dict[str, list[tuple[str, float]]] = defaultdict(list)
    for row in _rows("misspellings.csv"):
        misspellings[row["typetext"]].append((row["variant"], 1.0))
    durations: dict[tuple[str, str], list[tuple[float, float]]] = defaultdict(list)
    for row in _rows("durations.csv"):
        point = (float(row["quantile"]), float(row["minutes"]))
        durations[(row["interval"], row["group"])].append(point)

    return Reference(
        types=types,
        final_types=final_types,
        initial_codes={key: Weighted(pairs) for key, pairs in initial.items()},
        test_types=test_types,
        juvenile_types=juvenile,
        juvenile_reclassified=reclassified,
        disposition_texts={row["code"]: row["text"] for row in _rows("dispositions.csv")},
        beats=Weighted((row["beat"], float(row["weight"])) for row in beat_rows),
        segments=_pools_by_beat(beats, segments),
        street_lines=street_lines,
        intersections=_pools_by_beat(beats, _points("intersections.csv", "intersection")),
        highways=Weighted(_points("highways.csv", "location")),
        hourly=tuple(float(row["weight"]) for row in _rows("hourly_profile.csv")),
        weekday_factors=tuple(float(row["factor"]) for row in _rows("weekday_profile.csv")),
        calls_per_day={int(r["month"]): int(r["calls_per_day"]) for r in _rows("daily_volume.csv")},
        durations={key: Quantiles(points) for key, points in durations.items()},
        misspellings={text: Weighted(pairs) for text, pairs in misspellings.items()},
        new_cad_start=date.fromisoformat(rates.pop("new_cad_start")),
        rates={name: float(value) for name, value in rates.items()},
    )
