"""The calls-for-service reference as arrays: every value a call can take, and samplers over them.

Why: the vectorised generator draws integer codes for a whole day at once and turns them into
text only when a batch is written. So each table of ``Reference`` becomes a vocabulary (the
distinct strings) plus arrays and samplers keyed by vocabulary index, built once per process.
Eras are ``0`` (old CAD) and ``1`` (new CAD).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np

from tooling.generator.draws import Choice, GroupedChoice, QuantileTable
from tooling.generator.reference import CAD_ERAS, Point, Reference, Segment, load_reference
from tooling.generator.sampling import Weighted

CORRECTED_DISPOSITIONS = ("NAT", "GOA", "RTF", "UNF")


class Vocabulary:
    """Distinct strings in first-seen order, and the index of each."""

    def __init__(self) -> None:
        self.values: list[str] = []
        self._index: dict[str, int] = {}

    def add(self, value: str) -> int:
        if value not in self._index:
            self._index[value] = len(self.values)
            self.values.append(value)
        return self._index[value]

    def __getitem__(self, value: str) -> int:
        return self._index[value]


@dataclass(frozen=True)
class TypeTables:
    """Signal codes (one entry per era and code) with the draws that depend on them."""

    codes: list[str]
    texts: list[str]  # canonical texts, then misspelled variants
    text_of: np.ndarray  # type -> canonical text index
    selfinitiated_share: np.ndarray
    final: tuple[Choice, Choice]  # per era: index into final_values
    final_values: tuple[np.ndarray, np.ndarray]
    initial: GroupedChoice  # final type -> initial type
    priorities: list[str]
    priority: GroupedChoice  # type -> priority
    initial_priority: GroupedChoice  # type -> priority
    level: np.ndarray  # priority -> dispatch-gap group 0, 1 or 2
    dispositions: list[str]
    disposition_texts: list[str]
    disposition: GroupedChoice  # type -> disposition
    corrected: np.ndarray  # disposition indices a corrected disposition is drawn from
    test: np.ndarray  # per era
    juvenile: tuple[Choice, Choice]
    juvenile_values: tuple[np.ndarray, np.ndarray]
    juvenile_reclassified: np.ndarray  # juvenile type -> ordinary type (-1 otherwise)
    misspelling: GroupedChoice  # type -> variant text index (-1: no variant)


@dataclass(frozen=True)
class PlaceTables:
    """Beats, street segments, intersections and highways, with their street lines."""

    beats: list[str]
    zips: list[str]
    districts: list[str]
    beat_choice: Choice  # index into beats
    streets: list[str]
    segment: GroupedChoice  # beat -> segment
    segment_street: np.ndarray
    segment_beat: np.ndarray
    segment_zip: np.ndarray
    segment_district: np.ndarray
    segment_lo: np.ndarray
    segment_hi: np.ndarray
    anchor_keys: np.ndarray  # street * ANCHOR_STRIDE + house number, sorted
    anchor_lat: np.ndarray
    anchor_lon: np.ndarray
    anchor_start: np.ndarray  # per street
    anchor_end: np.ndarray
    names: list[str]  # intersection and highway names
    intersection: GroupedChoice  # beat -> point
    highway: Choice  # index into highway_points
    highway_points: np.ndarray
    point_name: np.ndarray
    point_beat: np.ndarray
    point_zip: np.ndarray
    point_district: np.ndarray
    point_lat: np.ndarray
    point_lon: np.ndarray


ANCHOR_STRIDE = 1_000_000  # house numbers stay far below this


@dataclass(frozen=True, eq=False)
class CallTables:
    types: TypeTables
    places: PlaceTables
    hourly: np.ndarray
    gaps: dict[tuple[str, str], QuantileTable]
    rates: dict[str, float]
    new_cad_start: np.datetime64


@cache
def load_call_tables() -> CallTables:
    """Build every array once per process from the shared ``Reference``."""
    ref = load_reference()
    return CallTables(
        types=_type_tables(ref),
        places=_place_tables(ref),
        hourly=np.asarray(ref.hourly, dtype=np.float64),
        gaps={key: QuantileTable(q.points()) for key, q in ref.durations.items()},
        rates=ref.rates,
        new_cad_start=np.datetime64(ref.new_cad_start, "D"),
    )


def _type_tables(ref: Reference) -> TypeTables:
    keys = list(ref.types)
    index = {key: i for i, key in enumerate(keys)}
    types = [ref.types[key] for key in keys]
    texts = Vocabulary()
    text_of = np.asarray([texts.add(t.text) for t in types])
    priorities = Vocabulary()
    dispositions = Vocabulary()
    for code in ref.disposition_texts:
        dispositions.add(code)

    def grouped(attribute: str, vocabulary: Vocabulary) -> GroupedChoice:
        groups = []
        for t in types:
            pairs = _pairs(getattr(t, attribute))
            groups.append([(vocabulary.add(value), weight) for value, weight in pairs])
        return GroupedChoice(groups)

    priority = grouped("priorities", priorities)
    initial_priority = grouped("initial_priorities", priorities)
    disposition = grouped("dispositions", dispositions)
    initial_groups = []
    for key in keys:
        weighted_codes = ref.initial_codes.get(key)
        pairs = (
            zip(weighted_codes.values, weighted_codes.weights(), strict=True)
            if weighted_codes
            else ()
        )
        initial_groups.append([(index[(key[0], code)], weight) for code, weight in pairs])
    misspelling_groups = []
    for t in types:
        pairs = _pairs(ref.misspellings.get(t.text))
        misspelling_groups.append([(texts.add(text), weight) for text, weight in pairs])
    reclassified = np.full(len(types), -1)
    for (era, code), final in ref.juvenile_reclassified.items():
        reclassified[index[(era, code)]] = index[(final.cad, final.code)]

    def era_choice(weighted: dict[str, Weighted]) -> tuple[tuple, tuple]:
        choices = tuple(Choice(weighted[era].weights()) for era in CAD_ERAS)
        values = tuple(
            np.asarray([index[(t.cad, t.code)] for t in weighted[era].values]) for era in CAD_ERAS
        )
        return choices, values

    final, final_values = era_choice(ref.final_types)
    juvenile, juvenile_values = era_choice(ref.juvenile_types)
    return TypeTables(
        codes=[t.code for t in types],
        texts=texts.values,
        text_of=text_of,
        selfinitiated_share=np.asarray([t.selfinitiated_share for t in types]),
        final=final,
        final_values=final_values,
        initial=GroupedChoice(initial_groups),
        priorities=priorities.values,
        priority=priority,
        initial_priority=initial_priority,
        level=np.asarray([int(p[0]) if p[0] in "01" else 2 for p in priorities.values]),
        dispositions=dispositions.values,
        disposition_texts=[ref.disposition_texts[code] for code in dispositions.values],
        disposition=disposition,
        corrected=np.asarray([dispositions[code] for code in CORRECTED_DISPOSITIONS]),
        test=np.asarray([index[(era, ref.test_types[era].code)] for era in CAD_ERAS]),
        juvenile=juvenile,
        juvenile_values=juvenile_values,
        juvenile_reclassified=reclassified,
        misspelling=GroupedChoice(misspelling_groups),
    )


def _place_tables(ref: Reference) -> PlaceTables:
    beats, zips, districts, streets, names = (Vocabulary() for _ in range(5))
    beat_weights = ref.beats.weights()
    for beat in ref.beats.values:
        beats.add(beat)
    for district in "012345678":
        districts.add(district)

    segments: dict[Segment, int] = {}
    segment_groups = []
    for beat in ref.beats.values:
        pool = ref.segments[beat]
        group = [(segments.setdefault(s, len(segments)), w) for s, w in _pairs(pool)]
        segment_groups.append(group)
    segment_list = list(segments)

    points: dict[Point, int] = {}
    intersection_groups = []
    for beat in ref.beats.values:
        pool = ref.intersections[beat]
        intersection_groups.append(
            [(points.setdefault(p, len(points)), w) for p, w in _pairs(pool)]
        )
    highway_points = [points.setdefault(p, len(points)) for p in ref.highways.values]
    point_list = list(points)

    keys, lats, lons, starts, ends = [], [], [], [], []
    for street, line in ref.street_lines.items():
        number = streets.add(street)
        starts.append(len(keys))
        keys.extend(number * ANCHOR_STRIDE + n for n in line.numbers)
        lats.extend(line.latitudes)
        lons.extend(line.longitudes)
        ends.append(len(keys))
    street_of = [streets.add(s.street) for s in segment_list]
    return PlaceTables(
        beats=beats.values,
        zips=zips.values,
        districts=districts.values,
        beat_choice=Choice(beat_weights),
        streets=streets.values,
        segment=GroupedChoice(segment_groups),
        segment_street=np.asarray(street_of),
        segment_beat=np.asarray([beats.add(s.beat) for s in segment_list]),
        segment_zip=np.asarray([zips.add(s.zip) for s in segment_list]),
        segment_district=np.asarray([districts.add(s.policedistrict) for s in segment_list]),
        segment_lo=np.asarray([s.block_lo for s in segment_list]),
        segment_hi=np.asarray([s.block_hi for s in segment_list]),
        anchor_keys=np.asarray(keys, dtype=np.float64),
        anchor_lat=np.asarray(lats),
        anchor_lon=np.asarray(lons),
        anchor_start=np.asarray(starts),
        anchor_end=np.asarray(ends),
        names=names.values,
        intersection=GroupedChoice(intersection_groups),
        highway=Choice(ref.highways.weights()),
        highway_points=np.asarray(highway_points),
        point_name=np.asarray([names.add(p.name) for p in point_list]),
        point_beat=np.asarray([beats.add(p.beat) for p in point_list]),
        point_zip=np.asarray([zips.add(p.zip) for p in point_list]),
        point_district=np.asarray([districts.add(p.policedistrict) for p in point_list]),
        point_lat=np.asarray([p.latitude for p in point_list]),
        point_lon=np.asarray([p.longitude for p in point_list]),
    )


def _pairs(weighted: Weighted | None) -> list[tuple]:
    """A sampler's (value, weight) pairs; none for a missing sampler."""
    if weighted is None:
        return []
    return list(zip(weighted.values, weighted.weights(), strict=True))
