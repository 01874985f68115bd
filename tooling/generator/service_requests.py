"""A deterministic stand-in for the internal OPCD 311 export (the private 311 input).

Why: the platform publishes 311 service requests only after dropping who made them, and no
real extract of the current dataset exists (README 4.1). So the pipeline reads this invented
export instead: requests of realistic types at house-numbered addresses, with the requester's
name, phone and email, repeat reports of the same problem, and rare broken rows.

The export is the city's view of each request at one moment, ``as_of``: one row per request,
updated in place as the request moves through its statuses. Each request's whole life
(created, assigned, maybe worked on, maybe closed) is drawn when it is created, and the row
shows its latest state at or before ``as_of``. A later ``as_of`` therefore changes the
workflow columns of some rows and nothing else, which is what the pipeline's late-change
handling must pick up.

Determinism: a day's requests depend only on (seed, day, scale); ``as_of`` only chooses which
state is shown. Every draw comes from a ``random.Random`` seeded with a string naming the day
and the purpose. Repeats point back at most six days, to reports drawn from those days' own
seeds, and request numbers continue one city-wide sequence whose start on a day is the sum of
earlier days' counts (which come from per-day seeds too). So any two spans agree on the days
they share, and numbers are unique across independently generated days.
"""

from __future__ import annotations

import csv
import json
import math
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, fields
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from operator import itemgetter
from pathlib import Path
from random import Random

import numpy as np

from orchestration.warehouse.coordinates import to_state_plane
from tooling.generator import defects
from tooling.generator.calls_for_service import UPDATED_AT
from tooling.generator.clock import (
    floating,
    garbled,
    hour_weights,
    is_spring_forward,
    system_timestamp,
)

# people keeps its number generator private; 311 requesters use the same fictional range.
from tooling.generator.people import _phone, person_name
from tooling.generator.places import Location, pick_location
from tooling.generator.sampling import Weighted, normal, stable_unit
from tooling.generator.service_requests_reference import (
    RequestKind,
    ServiceRequestsReference,
    load_service_requests_reference,
)

INTERNAL_311_DATASET_ID = "opcd-311i"
DEFAULT_SEED = 20120101

# (field, display name, Socrata type), in export order.
COLUMN_META = (
    ("service_request", "Service Request", "text"),
    ("request_type", "Request Type", "text"),
    ("request_reason", "Request Reason", "text"),
    ("date_created", "Date Created", "calendar_date"),
    ("date_modified", "Date Modified", "calendar_date"),
    ("case_close_date", "Case Close Date", "calendar_date"),
    ("request_status", "Request Status", "text"),
    ("responsible_agency", "Responsible Agency", "text"),
    ("final_address", "Final Address", "text"),
    ("address_councildis", "Council District", "text"),
    ("final_x", "Final X", "number"),
    ("final_y", "Final Y", "number"),
    ("latitude", "Latitude", "number"),
    ("longitude", "Longitude", "number"),
    ("status", "Status", "text"),
    ("contractor", "Contractor", "text"),
    ("contractor_action", "Contractor Action", "text"),
    ("rowid", "Row ID", "text"),
    ("requester_name", "Requester Name", "text"),
    ("requester_phone", "Requester Phone", "text"),
    ("requester_email", "Requester Email", "text"),
)
SERVICE_REQUEST_FIELDS = tuple(field for field, _, _ in COLUMN_META)
COLUMNS = (*SERVICE_REQUEST_FIELDS, UPDATED_AT)

# Workflow states (`status`); only the last one closes a request.
OPEN = "Open"
ASSIGNED_TO_CONTRACTOR = "Assigned to Contractor"
ASSIGNED_TO_DEPARTMENT = "Assigned to Department"
IN_PROGRESS = "In Progress"
CONTRACTOR_ACTION = "Contractor Action Submitted"
CLOSED = "Closed"

VOLUME_SPREAD = 1.5  # day-to-day noise, in multiples of a Poisson spread
DURATION_CAP = 3.0  # days to close stay within this many spreads of the median
WORKDAY_START, WORKDAY_HOURS = 7, 11  # crews act between 07:00 and 18:00
# Reserved domains only (RFC 2606 and 6761), so no address can reach anyone.
EMAIL_DOMAINS = Weighted(
    [("example.com", 50.0), ("example.net", 25.0), ("example.org", 15.0), ("mail.example", 5.0),
     ("nola.invalid", 5.0)]
)  # fmt: skip

Row = defects.Row
Requester = tuple[str | None, str | None, str | None]  # name, phone, email
_SECOND = timedelta(seconds=1)
_MINUTE = timedelta(minutes=1)
_HOUR = timedelta(hours=1)


@dataclass(frozen=True)
class ServiceRequestsSummary:
    """What was written, with a count per injected trait so tests can reconcile.

    Every count is of exported rows: ``rows = closed + pending``. ``repeats`` are rows that
    repeat an earlier report of the same problem at the same address; ``missing_coordinates``
    rows have latitude/longitude ``0.0`` or blank; ``anonymous`` rows have no requester at all.
    """

    path: Path
    meta_path: Path
    days: int
    rows: int
    closed: int
    pending: int
    repeats: int
    missing_coordinates: int
    missing_id: int
    bad_timestamp: int
    anonymous: int


COUNTS = tuple(
    f.name for f in fields(ServiceRequestsSummary) if f.name not in {"path", "meta_path", "days"}
)


@dataclass(frozen=True, slots=True)
class _Problem:
    """What a request reports and where, as exported: shared by a report and its repeats."""

    kind: RequestKind
    address: str
    council: str | None
    latitude: str | None
    longitude: str | None
    x: str | None
    y: str | None


@dataclass(frozen=True, slots=True)
class _Report:
    """A request as made: when, about what, by whom. ``repeat`` marks a repeat report."""

    created: datetime
    problem: _Problem
    requester: Requester
    repeat: bool = False


@dataclass(frozen=True, slots=True)
class _State:
    """The workflow columns from ``moment`` until the request's next change."""

    moment: datetime
    status: str
    contractor: str | None = None
    action: str | None = None


@dataclass(frozen=True, slots=True)
class _Request:
    """A numbered report with its faults and every state it will pass through, in order."""

    report: _Report
    number: int
    missing_id: bool
    bad_timestamp: bool
    created_text: str
    states: tuple[_State, ...]

    def state_at(self, as_of: datetime) -> _State:
        """The latest state at or before ``as_of`` (which must not precede the creation)."""
        moments = [state.moment for state in self.states]
        return self.states[bisect_right(moments, as_of) - 1]


@dataclass(frozen=True, slots=True)
class _Volume:
    """A day's request count, how many are repeats, and how many sequence numbers it uses."""

    requests: int
    repeats: int
    numbers: int


def generate_service_requests(
    start: date,
    end: date,
    *,
    as_of: datetime | None = None,
    seed: int = DEFAULT_SEED,
    scale: float = 1.0,
) -> Iterator[Row]:
    """Yield the rows of requests created on ``start``..``end`` as they stand at ``as_of``.

    ``as_of`` is a naive local time, by default the midnight after ``end``; requests created
    after it are left out.
    """
    for _, row in _export(start, end, _as_of(end, as_of), seed, float(scale)):
        yield row


def write_service_requests_export(
    data_dir: Path,
    start: date,
    end: date,
    *,
    as_of: datetime | None = None,
    seed: int = DEFAULT_SEED,
    scale: float = 1.0,
    dataset_id: str = INTERNAL_311_DATASET_ID,
) -> ServiceRequestsSummary:
    """Write ``DIR/<dataset_id>.csv`` and its ``.meta.json`` sidecar, one day at a time.

    Memory stays bounded whatever the span; the CSV is written under a temporary name and
    renamed at the end so a portal never loads half a file.
    """
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / f"{dataset_id}.csv"
    meta_path = data_dir / f"{dataset_id}.meta.json"
    partial_path = path.with_name(path.name + ".partial")
    totals: Counter[str] = Counter()
    ordered = itemgetter(*COLUMNS)
    with partial_path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(COLUMNS)
        for request, row in _export(start, end, _as_of(end, as_of), seed, float(scale)):
            writer.writerow(ordered(row))
            totals.update(_traits(request, row))
    partial_path.replace(path)
    meta_path.write_text(json.dumps(_metadata(), indent=2) + "\n", encoding="utf-8")
    return ServiceRequestsSummary(
        path=path,
        meta_path=meta_path,
        days=(end - start).days + 1,
        **{name: totals[name] for name in COUNTS},
    )


def _as_of(end: date, as_of: datetime | None) -> datetime:
    if as_of is None:
        return datetime.combine(end + timedelta(days=1), time())
    if as_of.tzinfo is not None:
        raise ValueError("as_of is a naive New Orleans wall-clock time, like the export's")
    return as_of


def _export(
    start: date, end: date, as_of: datetime, seed: int, scale: float
) -> Iterator[tuple[_Request, Row]]:
    ref = load_service_requests_reference()
    if end < start:
        raise ValueError(f"end {end} is before start {start}")
    if scale <= 0:
        raise ValueError(f"scale must be positive, got {scale}")
    if start < ref.first_day:
        raise ValueError(f"311 requests start on {ref.first_day}, not {start}")
    day = start
    while day <= min(end, as_of.date()):
        for request in _requests_on(ref, day, seed, scale):
            if request.report.created <= as_of:
                yield request, _row(request, request.state_at(as_of))
        day += timedelta(days=1)


def _traits(request: _Request, row: Row) -> list[str]:
    """The summary counts one exported row adds to."""
    traits = ["closed" if row["case_close_date"] else "pending"]
    if request.report.repeat:
        traits.append("repeats")
    if row["latitude"] in (None, "0.0"):
        traits.append("missing_coordinates")
    if request.missing_id:
        traits.append("missing_id")
    if request.bad_timestamp:
        traits.append("bad_timestamp")
    if request.report.requester == (None, None, None):
        traits.append("anonymous")
    return ["rows", *traits]


def _metadata() -> dict[str, object]:
    return {
        "name": "OPCD 311 service requests (internal export)",
        "description": (
            "Internal export of the Orleans Parish Communication District 311 system: one row "
            "per service request, updated in place as it moves through its statuses "
            "(date_modified and :updated_at tell when it last changed). Not for publication: "
            "it holds requesters' names, phone numbers and emails. Times are New Orleans "
            "local time. Generated data."
        ),
        "columns": [
            {"fieldName": field, "name": name, "dataTypeName": kind}
            for field, name, kind in COLUMN_META
        ],
        "rowIdentifier": "service_request",
    }


def _row(request: _Request, state: _State) -> Row:
    report = request.report
    problem, kind = report.problem, report.problem.kind
    name, phone, email = report.requester
    closed = state.status == CLOSED
    number = None if request.missing_id else f"{report.created.year}-{request.number}"
    return {
        "service_request": number,
        "request_type": kind.request_type,
        "request_reason": kind.request_reason,
        "date_created": request.created_text,
        "date_modified": floating(state.moment),
        "case_close_date": floating(state.moment) if closed else None,
        "request_status": "Closed" if closed else "Pending",
        "responsible_agency": kind.responsible_agency,
        "final_address": problem.address,
        "address_councildis": problem.council,
        "final_x": problem.x,
        "final_y": problem.y,
        "latitude": problem.latitude,
        "longitude": problem.longitude,
        "status": state.status,
        "contractor": state.contractor,
        "contractor_action": state.action,
        "rowid": str(request.number),
        "requester_name": name,
        "requester_phone": phone,
        "requester_email": email,
        UPDATED_AT: system_timestamp(state.moment),
    }


# --- Volumes and request numbers -----------------------------------------------------------


def _volume(ref: ServiceRequestsReference, day: date, seed: int, scale: float) -> _Volume:
    """The day's count (rate x weekday x month, with noise), its repeats and its numbers."""
    rates = ref.rates
    factor = ref.weekday_factors[day.weekday()] * ref.month_factors[day.month]
    expected = rates["requests_per_day"] * factor * scale
    rng = Random(f"{seed}|311|{day.isoformat()}|{scale!r}|volume")
    requests = max(0, round(expected + VOLUME_SPREAD * math.sqrt(expected) * normal(rng)))
    share = rates["repeat_share"]
    spread = math.sqrt(requests * share * (1 - share))
    repeats = min(requests, max(0, round(requests * share + spread * normal(rng))))
    return _Volume(requests, repeats, round(requests * rates["numbers_per_request"]))


@lru_cache(maxsize=64)
def _year_volumes(year: int, seed: int, scale: float) -> tuple[_Volume, ...]:
    """Every day's volume in a year, from the first day of the data on."""
    ref = load_service_requests_reference()
    day, volumes = _year_start(ref, year), []
    while day.year == year:
        volumes.append(_volume(ref, day, seed, scale))
        day += timedelta(days=1)
    return tuple(volumes)


@lru_cache(maxsize=64)
def _numbers_before_year(year: int, seed: int, scale: float) -> int:
    """Sequence numbers used by all earlier years: a year's sum is computed only once."""
    ref = load_service_requests_reference()
    if year <= ref.first_day.year:
        return 0
    last_year = _year_volumes(year - 1, seed, scale)
    return _numbers_before_year(year - 1, seed, scale) + sum(v.numbers for v in last_year)


def _year_start(ref: ServiceRequestsReference, year: int) -> date:
    return max(date(year, 1, 1), ref.first_day)


def _volume_on(ref: ServiceRequestsReference, day: date, seed: int, scale: float) -> _Volume:
    return _year_volumes(day.year, seed, scale)[(day - _year_start(ref, day.year)).days]


def _first_number(ref: ServiceRequestsReference, day: date, seed: int, scale: float) -> int:
    """One past the numbers used by every earlier day since the data began."""
    this_year = _year_volumes(day.year, seed, scale)[: (day - _year_start(ref, day.year)).days]
    return 1 + _numbers_before_year(day.year, seed, scale) + sum(v.numbers for v in this_year)


# --- A day's requests ------------------------------------------------------------------------


def _requests_on(
    ref: ServiceRequestsReference, day: date, seed: int, scale: float
) -> list[_Request]:
    """The day's fresh reports and repeats in creation order, numbered, with their lives.

    The day takes its block of the city-wide sequence but leaves gaps in it: the sequence
    also numbers cases that never reach this dataset (README 4.1: rowid 1312210 after
    1,022,041 rows).
    """
    volume = _volume_on(ref, day, seed, scale)
    reports = sorted(
        (*_fresh_reports(day, seed, scale), *_repeats(ref, day, seed, scale, volume.repeats)),
        key=lambda report: (report.created, report.repeat),
    )
    rng = Random(f"{seed}|311|{day.isoformat()}|{scale!r}|lives")
    count = len(reports)
    skipped = defects.pick_indices(rng, volume.numbers - count, volume.numbers)
    first = _first_number(ref, day, seed, scale)
    numbers = [first + offset for offset in range(volume.numbers) if offset not in skipped]
    missing, broken = (
        defects.pick_indices(rng, defects.daily_quota(count, share, day, fault), count)
        for fault, share in (
            ("missing_id", defects.MISSING_ID_SHARE),
            ("bad_timestamp", defects.BAD_TIMESTAMP_SHARE),
        )
    )
    requests = []
    for index, (report, number) in enumerate(zip(reports, numbers, strict=True)):
        bad = index in broken
        created_text = garbled(report.created, rng) if bad else floating(report.created)
        states = _life(rng, ref, report)
        requests.append(_Request(report, number, index in missing, bad, created_text, states))
    return requests


@lru_cache(maxsize=16)
def _fresh_reports(day: date, seed: int, scale: float) -> tuple[_Report, ...]:
    """The day's reports of new problems, which are also what the next six days repeat.

    Cached because a span asks for each day's reports on seven successive days.
    """
    ref = load_service_requests_reference()
    volume = _volume_on(ref, day, seed, scale)
    rng = Random(f"{seed}|311|{day.isoformat()}|{scale!r}|reports")
    moments = sorted(_moments(rng, ref, day, volume.requests - volume.repeats))
    return tuple(_new_reports(rng, ref, moments))


def _repeats(
    ref: ServiceRequestsReference, day: date, seed: int, scale: float, count: int
) -> list[_Report]:
    """Repeat reports made on ``day`` of problems first reported up to six days before.

    A repeat points at a fresh report, never at another repeat, so a day needs only the fresh
    reports of the previous six days. One that finds no report to repeat (the data's first
    days, a tiny scale) is a fresh report instead, so the day keeps its count.
    """
    rng = Random(f"{seed}|311|{day.isoformat()}|{scale!r}|repeats")
    repeats, orphans = [], []
    for moment in _moments(rng, ref, day, count):
        source = day - timedelta(days=ref.repeat_lags.pick(rng))
        originals = _fresh_reports(source, seed, scale) if source >= ref.first_day else ()
        if source == day:
            originals = tuple(report for report in originals if report.created < moment)
        if not originals:
            orphans.append(moment)
            continue
        original = originals[int(rng.random() * len(originals))]
        requester = original.requester
        if rng.random() >= ref.rates["same_requester_share"]:
            requester = _requester(rng, ref)
        repeats.append(_Report(moment, original.problem, requester, repeat=True))
    return repeats + _new_reports(rng, ref, orphans)


def _moments(rng: Random, ref: ServiceRequestsReference, day: date, count: int) -> list[datetime]:
    """Creation times on ``day``, by the hourly profile (no time in the spring-forward gap)."""
    hours = Weighted(hour_weights(day, ref.hourly))
    midnight = datetime.combine(day, time())
    return [
        midnight + timedelta(seconds=int((hours.pick(rng) + rng.random()) * 3600))
        for _ in range(count)
    ]


def _new_reports(
    rng: Random, ref: ServiceRequestsReference, moments: list[datetime]
) -> list[_Report]:
    """Reports of new problems at ``moments``, projected to state plane in one batch (pyproj
    is quick per array and slow per point)."""
    drafts = [
        (ref.kinds.pick(rng), pick_location(rng, ref.numbered), _requester(rng, ref))
        for _ in moments
    ]
    problems = _problems(ref, [(kind, location) for kind, location, _ in drafts])
    return [
        _Report(moment, problem, requester)
        for moment, problem, (_, _, requester) in zip(moments, problems, drafts, strict=True)
    ]


def _problems(
    ref: ServiceRequestsReference, drafts: list[tuple[RequestKind, Location]]
) -> list[_Problem]:
    """Problems with their geocoding: state-plane feet projected from the exported lat/lon.

    Whether an address geocodes, and to which sentinel if not, depends on the address alone,
    as it would with a real geocoder; its council district comes with the geocode.
    """
    rates = ref.rates
    geocoded = [
        stable_unit(f"{location.address}|geocode") >= rates["missing_coordinates_share"]
        for _, location in drafts
    ]
    located = [location for (_, location), ok in zip(drafts, geocoded, strict=True) if ok]
    xs, ys = to_state_plane(
        np.array([float(location.longitude or "nan") for location in located]),
        np.array([float(location.latitude or "nan") for location in located]),
    )
    plane = iter(zip(xs.tolist(), ys.tolist(), strict=True))
    problems = []
    for (kind, location), ok in zip(drafts, geocoded, strict=True):
        if ok:
            x, y = next(plane)
            problem = _Problem(
                kind, location.address, _council(ref, location),
                location.latitude, location.longitude, f"{x:.2f}", f"{y:.2f}",
            )  # fmt: skip
        else:
            zero = stable_unit(f"{location.address}|sentinel") < rates["zero_coordinates_share"]
            sentinel = "0.0" if zero else None
            problem = _Problem(kind, location.address, None, sentinel, sentinel, None, None)
        problems.append(problem)
    return problems


def _council(ref: ServiceRequestsReference, location: Location) -> str | None:
    """The address's council district: fixed per address, in its zip's proportions."""
    districts = ref.council_districts.get(location.zip or "")
    return districts.at(stable_unit(f"council|{location.address}")) if districts else None


def _requester(rng: Random, ref: ServiceRequestsReference) -> Requester:
    """Who made the request, from the invented names and the fictional 555-01xx numbers."""
    rates = ref.rates
    if rng.random() < rates["anonymous_share"]:
        return None, None, None
    name = person_name(rng)
    phone = _phone(rng) if rng.random() < rates["phone_share"] else None
    email = _email(rng, name) if rng.random() < rates["email_share"] else None
    return name, phone, email


def _email(rng: Random, name: str) -> str:
    """Mostly ``first.last``, else initial, surname and two digits, at a reserved domain."""
    first, last = name.lower().split(" ", 1)
    if rng.random() < 0.7:
        local = f"{first}.{last}"
    else:
        local = f"{first[0]}{last}{int(rng.random() * 100):02d}"
    return f"{local}@{EMAIL_DOMAINS.pick(rng)}"


# --- A request's life --------------------------------------------------------------------------


def _life(rng: Random, ref: ServiceRequestsReference, report: _Report) -> tuple[_State, ...]:
    """Every state a request will pass through, in time order, drawn once at its creation.

    Most requests are routed within seconds (the README's live row was assigned two seconds
    after it was made), the rest by hand within hours. A contractor may report an action, a
    department may mark the work in progress, and unless the request is one its type leaves
    open for good, it is closed after a lognormal time around its type's median.
    """
    rates, kind, created = ref.rates, report.problem.kind, report.created
    if rng.random() < rates["auto_assign_share"]:
        delay = 1 + int(rng.random() * 4)
    else:
        delay = 60 + int(-math.log(1.0 - rng.random()) * rates["triage_hours"] * 3600)
    assigned = _on_the_clock(created + timedelta(seconds=delay))
    contractor = None
    if kind.by_contractor:
        contractor = ref.contractors[(kind.request_type, report.problem.council)].pick(rng)
    states = [
        _State(created, OPEN),
        _State(
            assigned, ASSIGNED_TO_CONTRACTOR if contractor else ASSIGNED_TO_DEPARTMENT, contractor
        ),
    ]
    spread = max(-DURATION_CAP, min(DURATION_CAP, normal(rng))) * rates["duration_spread"]
    done = max(created + timedelta(days=kind.median_days * math.exp(spread)), assigned + _MINUTE)
    work = done - assigned
    if kind.contractor_actions and rng.random() < rates["contractor_action_share"]:
        moment = _during_work(rng, assigned + work * (0.6 + 0.35 * rng.random()), assigned)
        action = kind.contractor_actions.pick(rng)
        states.append(_State(moment, CONTRACTOR_ACTION, contractor, action))
    elif not contractor and rng.random() < rates["in_progress_share"]:
        moment = _during_work(rng, assigned + work * (0.2 + 0.6 * rng.random()), assigned)
        states.append(_State(moment, IN_PROGRESS))
    if rng.random() >= kind.never_closed_share:
        last = states[-1]
        states.append(
            _State(_during_work(rng, done, last.moment), CLOSED, last.contractor, last.action)
        )
    return tuple(states)


def _during_work(rng: Random, moment: datetime, previous: datetime) -> datetime:
    """When crew work drawn for ``moment`` is logged: within 07:00-18:00 if it falls on a later
    day than the previous change, always after that change, and on a real wall-clock time."""
    moment = moment.replace(microsecond=0)
    if moment.date() > previous.date():
        opening = datetime.combine(moment.date(), time(WORKDAY_START))
        moment = opening + timedelta(seconds=int(rng.random() * WORKDAY_HOURS * 3600))
    return _on_the_clock(max(moment, previous + _SECOND))


def _on_the_clock(moment: datetime) -> datetime:
    """A moment that fell into the spring-forward gap, read an hour later as clocks do."""
    return moment + _HOUR if moment.hour == 2 and is_spring_forward(moment.date()) else moment
