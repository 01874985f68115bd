"""A deterministic stand-in for the OPCD CAD export of calls for service (the private input).

Why: the platform publishes NOPD calls for service only after stripping private data, so it
needs an input that behaves like the internal CAD export (volumes, signal codes of both CAD
eras, reclassifications, timings, addresses) and that carries everything the pipeline must
remove or repair. Real rows cannot be used; calls are invented from the derived reference
tables instead and written where the local Socrata-compatible portal loads its datasets.

Determinism: a day's rows depend only on (seed, day, scale). Each day draws from its own
``random.Random`` seeded with a string (which ``random`` hashes with SHA-512; ``hash()`` would
be salted per process). Item numbers restart every month, as the real ones do; a day's first
number is one past the calls of the earlier days of its month, and those counts come from
per-day seeds too. So two spans that overlap produce identical rows for the shared days.
"""

from __future__ import annotations

import csv
import json
import math
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, fields
from datetime import date, datetime, time, timedelta
from functools import lru_cache, partial
from operator import itemgetter
from pathlib import Path
from random import Random

from orchestration.generator import defects
from orchestration.generator.clock import (
    export_tick,
    floating,
    garbled,
    hour_weights,
    on_wall_clock,
    system_timestamp,
)
from orchestration.generator.people import private_fields
from orchestration.generator.places import pick_location
from orchestration.generator.reference import CallType, Reference, load_reference
from orchestration.generator.sampling import Quantiles, Weighted, normal

INTERNAL_CFS_DATASET_ID = "opcd-cfs1"
DEFAULT_SEED = 20110101

# (field, display name, Socrata type), in export order.
COLUMN_META = (
    ("nopd_item", "NOPD_Item", "text"),
    ("type", "Type", "text"),
    ("typetext", "TypeText", "text"),
    ("priority", "Priority", "text"),
    ("initialtype", "InitialType", "text"),
    ("initialtypetext", "InitialTypeText", "text"),
    ("initialpriority", "InitialPriority", "text"),
    ("timecreate", "TimeCreate", "calendar_date"),
    ("timedispatch", "TimeDispatch", "calendar_date"),
    ("timearrive", "TimeArrive", "calendar_date"),
    ("timeclosed", "TimeClosed", "calendar_date"),
    ("disposition", "Disposition", "text"),
    ("dispositiontext", "DispositionText", "text"),
    ("selfinitiated", "SelfInitiated", "text"),
    ("beat", "Beat", "text"),
    ("address", "Address", "text"),
    ("zip", "Zip", "text"),
    ("policedistrict", "PoliceDistrict", "text"),
    ("latitude", "Latitude", "number"),
    ("longitude", "Longitude", "number"),
    ("caller_name", "CallerName", "text"),
    ("caller_phone", "CallerPhone", "text"),
    ("narrative", "Narrative", "text"),
)
FIELDS = tuple(field for field, _, _ in COLUMN_META)
UPDATED_AT = ":updated_at"  # Socrata system column: when this row version was written
COLUMNS = (*FIELDS, UPDATED_AT)

MONTH_LETTERS = "ABCDEFGHIJKL"
MAX_SEQUENCE = 99_999  # five digits in NOPD_Item
VOLUME_SPREAD = 1.5  # day-to-day noise, in multiples of a Poisson spread

Row = defects.Row


@dataclass(frozen=True)
class ExportSummary:
    """What was written, with a count per injected fault so tests can reconcile.

    ``rows = calls + exact_duplicates + resent``. ``open_calls`` counts calls whose latest
    version is open; ``juvenile`` counts calls with a juvenile final or initial type, of which
    ``juvenile_initial_only`` were reclassified to a non-juvenile type.
    """

    path: Path
    meta_path: Path
    days: int
    rows: int
    calls: int
    exact_duplicates: int
    resent: int
    open_calls: int
    juvenile: int
    juvenile_initial_only: int
    missing_id: int
    bad_timestamp: int
    misspelled: int
    test_calls: int


COUNTS = tuple(f.name for f in fields(ExportSummary) if f.name not in {"path", "meta_path", "days"})


def generate_calls(
    start: date, end: date, *, seed: int = DEFAULT_SEED, scale: float = 1.0
) -> Iterator[Row]:
    """Yield internal-export rows for the local days ``start``..``end`` inclusive, day by day."""
    for day in _days(start, end, scale):
        rows, _ = _generate_day(day, seed, float(scale))
        yield from rows


def write_internal_export(
    data_dir: Path,
    start: date,
    end: date,
    *,
    seed: int = DEFAULT_SEED,
    scale: float = 1.0,
    dataset_id: str = INTERNAL_CFS_DATASET_ID,
) -> ExportSummary:
    """Write ``DIR/<dataset_id>.csv`` and its ``.meta.json`` sidecar, one day at a time.

    Memory stays constant whatever the span; the CSV is written under a temporary name and
    renamed at the end so a portal never loads half a file.
    """
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / f"{dataset_id}.csv"
    meta_path = data_dir / f"{dataset_id}.meta.json"
    partial_path = path.with_name(path.name + ".partial")
    totals: Counter[str] = Counter()
    days = _days(start, end, scale)
    ordered = itemgetter(*COLUMNS)
    with partial_path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(COLUMNS)
        for day in days:
            rows, counts = _generate_day(day, seed, float(scale))
            writer.writerows(map(ordered, rows))
            totals.update(counts)
    partial_path.replace(path)
    meta_path.write_text(json.dumps(_metadata(), indent=2) + "\n", encoding="utf-8")
    return ExportSummary(
        path=path, meta_path=meta_path, days=len(days), **{name: totals[name] for name in COUNTS}
    )


def _days(start: date, end: date, scale: float) -> list[date]:
    if end < start:
        raise ValueError(f"end {end} is before start {start}")
    if scale <= 0:
        raise ValueError(f"scale must be positive, got {scale}")
    return [start + timedelta(days=offset) for offset in range((end - start).days + 1)]


def _metadata() -> dict[str, object]:
    return {
        "name": "OPCD CAD Calls for Service (internal export)",
        "description": (
            "Internal export of the Orleans Parish Communication District CAD: one row per "
            "version of a call for service. Not for publication: it holds caller names and "
            "phone numbers, narratives, full addresses and exact coordinates, juvenile call "
            "types and open calls, and it repeats calls (exact duplicates and re-sent versions "
            "with a later :updated_at). Times are New Orleans local time. Generated data."
        ),
        "columns": [
            {"fieldName": field, "name": name, "dataTypeName": kind}
            for field, name, kind in COLUMN_META
        ],
        "rowIdentifier": None,
    }


@lru_cache(maxsize=4096)
def _calls_on(day: date, seed: int, scale: float) -> int:
    """The day's call count: the month's rate times the weekday's factor, with noise."""
    ref = load_reference()
    expected = ref.calls_per_day[day.month] * ref.weekday_factors[day.weekday()] * scale
    rng = Random(f"{seed}|{day.isoformat()}|{scale!r}|volume")
    return max(0, round(expected + VOLUME_SPREAD * math.sqrt(expected) * normal(rng)))


def _first_sequence(day: date, seed: int, scale: float) -> int:
    earlier = sum(_calls_on(day.replace(day=d), seed, scale) for d in range(1, day.day))
    return earlier + 1


def _item_number(day: date, sequence: int) -> str:
    """``A0011722``: month letter, 5-digit sequence within the month, 2-digit year."""
    return f"{MONTH_LETTERS[day.month - 1]}{sequence:05d}{day.year % 100:02d}"


def _generate_day(day: date, seed: int, scale: float) -> tuple[list[Row], Counter[str]]:
    ref = load_reference()
    calls = _calls_on(day, seed, scale)
    first = _first_sequence(day, seed, scale)
    if first + calls - 1 > MAX_SEQUENCE:
        raise ValueError(
            f"{day:%B %Y} needs item numbers past {MAX_SEQUENCE}: scale {scale} is too large "
            "for the 5-digit monthly sequence"
        )
    rng = Random(f"{seed}|{day.isoformat()}|{scale!r}")
    hours = Weighted(hour_weights(day, ref.hourly))
    midnight = datetime.combine(day, time())
    created = sorted(
        midnight + timedelta(seconds=int((hours.pick(rng) + rng.random()) * 3600))
        for _ in range(calls)
    )
    rare = {
        fault: defects.pick_indices(rng, defects.daily_quota(calls, share, day, fault), calls)
        for fault, share in (
            ("missing_id", defects.MISSING_ID_SHARE),
            ("bad_timestamp", defects.BAD_TIMESTAMP_SHARE),
            ("test_calls", ref.rates["test_call_share"]),
        )
    }
    missing, broken, tests = rare["missing_id"], rare["bad_timestamp"], rare["test_calls"]

    rows: list[Row] = []
    counts: Counter[str] = Counter(calls=calls, missing_id=len(missing), test_calls=len(tests))
    for index, moment in enumerate(created):
        item = None if index in missing else _item_number(day, first + index)
        call = _Call(rng, ref, moment, item, test=index in tests)
        row = call.row
        counts.update(call.faults)
        if index in broken:
            row["timecreate"] = garbled(moment, rng)
            counts["bad_timestamp"] += 1
        if rng.random() < defects.MISSPELLED_SHARE and defects.misspell(rng, ref, row):
            counts["misspelled"] += 1
        rows += _versions(rng, ref, call, counts)
    counts["rows"] = len(rows)
    return rows, counts


def _versions(rng: Random, ref: Reference, call: _Call, counts: Counter[str]) -> list[Row]:
    """The rows a call is exported as: once, twice identically, or an earlier version first.

    Rows without an item number are left single: a duplicate of them could not be told apart.
    """
    row, draw = call.row, rng.random()
    if row["nopd_item"] is None:
        return [row]
    if draw < defects.EXACT_DUPLICATE_SHARE:
        counts["exact_duplicates"] += 1
        return [row, dict(row)]
    if call.closed and draw < defects.EXACT_DUPLICATE_SHARE + defects.RESENT_SHARE:
        earlier, final = defects.earlier_version(
            rng,
            ref,
            row,
            last_event=call.last_event,
            closed=call.closed,
            stamp=call.system_stamp,
        )
        row[UPDATED_AT] = call.system_stamp(final)
        counts["resent"] += 1
        return [earlier, row]
    return [row]


class _Call:
    """One call drawn from the reference: its final row and the times the faults need."""

    __slots__ = ("closed", "faults", "last_event", "row", "stamp", "system_stamp")

    def __init__(
        self, rng: Random, ref: Reference, created: datetime, item: str | None, *, test: bool
    ) -> None:
        rates = ref.rates
        # The new CAD took over on 2022-09-24; a few old-style rows kept coming after it.
        new_cad = created.date() >= ref.new_cad_start
        if new_cad and rng.random() < rates["old_cad_share_after_cutover"]:
            new_cad = False
        final, initial, self.faults = _types(rng, ref, "new" if new_cad else "old", test=test)
        priority = _pick(final.priorities, rng)
        if initial is final and rng.random() < rates["same_priority_share"]:
            initial_priority = priority
        else:
            initial_priority = _pick(initial.initial_priorities, rng)
        selfinitiated = rng.random() < final.selfinitiated_share
        disposition = _pick(final.dispositions, rng)
        dispatch, arrive, closed = _timeline(rng, ref, created, priority, selfinitiated)
        if rng.random() < defects.OPEN_SHARE:
            closed = None
            self.faults.append("open_calls")
        self.last_event = max(t for t in (created, dispatch, arrive) if t is not None)
        self.closed = closed
        self.stamp = partial(_stamp, created=created)
        self.system_stamp = partial(_system_stamp, created=created)
        location = pick_location(rng, ref)
        name, phone, note = private_fields(
            rng, selfinitiated=selfinitiated, what=final.text, address=location.address
        )
        self.row = {
            "nopd_item": item,
            "type": final.code,
            "typetext": final.text,
            "priority": priority,
            "initialtype": initial.code,
            "initialtypetext": initial.text,
            "initialpriority": initial_priority,
            "timecreate": floating(created),
            "timedispatch": self.stamp(dispatch) if dispatch else None,
            "timearrive": self.stamp(arrive) if arrive else None,
            "timeclosed": self.stamp(closed) if closed else None,
            "disposition": disposition if closed else None,
            "dispositiontext": ref.disposition_texts[disposition] if closed else None,
            "selfinitiated": "Y" if selfinitiated else "N",
            "beat": location.beat,
            "address": location.address,
            "zip": location.zip,
            "policedistrict": location.policedistrict,
            "latitude": location.latitude,
            "longitude": location.longitude,
            "caller_name": name,
            "caller_phone": phone,
            "narrative": note,
            UPDATED_AT: self.system_stamp(export_tick(closed or self.last_event)),
        }


def _stamp(moment: datetime, *, created: datetime) -> str:
    return floating(on_wall_clock(moment, created))


def _system_stamp(moment: datetime, *, created: datetime) -> str:
    return system_timestamp(on_wall_clock(moment, created))


def _pick(weighted: Weighted[str] | None, rng: Random) -> str:
    if weighted is None:
        raise ValueError("reference table lacks a distribution the generator needs")
    return weighted.pick(rng)


def _types(
    rng: Random, ref: Reference, era: str, *, test: bool
) -> tuple[CallType, CallType, list[str]]:
    """Final and initial type of a call, and which faults the choice amounts to."""
    if test:
        return ref.test_types[era], ref.test_types[era], []
    if rng.random() < defects.JUVENILE_SHARE:
        juvenile = ref.juvenile_types[era].pick(rng)
        if rng.random() < defects.JUVENILE_INITIAL_ONLY_SHARE:
            final = ref.juvenile_reclassified[(era, juvenile.code)]
            return final, juvenile, ["juvenile", "juvenile_initial_only"]
        return juvenile, juvenile, ["juvenile"]
    final = ref.final_types[era].pick(rng)
    initial = ref.types[(era, ref.initial_codes[(era, final.code)].pick(rng))]
    return final, initial, []


def _timeline(
    rng: Random, ref: Reference, created: datetime, priority: str, selfinitiated: bool
) -> tuple[datetime | None, datetime | None, datetime]:
    """Dispatch, arrival and close times, drawn from the real gaps between them.

    Officers who start a call on scene arrive at its creation and are rarely dispatched; when
    they are, the dispatch entry comes later, which gives the real data's arrive < dispatch.
    No call closes before its dispatch or arrival (none does in the real rows either).
    """
    rates, gaps = ref.rates, ref.durations
    if selfinitiated:
        arrive: datetime | None = created
        dispatch = None
        if rng.random() >= rates["dispatch_null_selfinitiated"]:
            dispatch = created + _gap(rng, gaps[("create_to_dispatch_selfinitiated", "all")])
    else:
        level = priority[0] if priority[0] in "01" else "2"
        dispatch = None
        if rng.random() >= rates["dispatch_null_911"]:
            dispatch = created + _gap(rng, gaps[("create_to_dispatch", level)])
        if rng.random() < rates["arrive_null_911"]:
            arrive = None
        elif dispatch is not None:
            arrive = dispatch + _gap(rng, gaps[("dispatch_to_arrive", "all")])
        else:
            arrive = created + _gap(rng, gaps[("create_to_arrive_undispatched", "all")])
    if arrive is not None:
        closed = max(arrive, dispatch or arrive) + _gap(rng, gaps[("arrive_to_close", "all")])
    else:
        closed = (dispatch or created) + _gap(rng, gaps[("last_to_close_unattended", "all")])
    return dispatch, arrive, closed


def _gap(rng: Random, minutes: Quantiles) -> timedelta:
    """A gap from a table of whole minutes, with the seconds the source rows had dropped."""
    return timedelta(seconds=int(minutes.draw(rng) * 60 + rng.random() * 60))
