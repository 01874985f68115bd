"""A deterministic stand-in for NOPD's internal use-of-force export (the private input).

Why: the platform publishes use-of-force incidents only after dropping who was involved, so it
needs an input that behaves like the export the city's public dataset is cut from: the old
layout of one row per officer, force type and subject of an incident, with officer and subject
identities, the exact address and a narrative, and the faults of the real exports (exact
duplicate rows, variant spellings, lists inside single-value columns, malformed tracking
numbers, a blank date, incidents re-exported once their investigation moves on). Values are
drawn from tables derived from the real exports (``use_of_force_reference``); no real row is
used.

Determinism: a day's rows depend only on (seed, day, scale), drawn from a ``random.Random``
seeded with a string naming the day; officers come from a roster fixed by (seed, year).
Tracking numbers run through the year (``FTN2026-0214``): a day's first number is one past the
incidents of the earlier days of its year, whose counts come from per-day seeds too. So two
spans that overlap produce identical rows for the shared days, and numbers stay unique within
a year however the days are generated.
"""

from __future__ import annotations

import csv
import json
import math
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, fields
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from operator import itemgetter
from pathlib import Path
from random import Random

from tooling.generator import defects
from tooling.generator.calls_for_service import DEFAULT_SEED, UPDATED_AT
from tooling.generator.clock import floating, system_timestamp
from tooling.generator.sampling import Weighted
from tooling.generator.use_of_force_people import (
    ROSTER_SIZE,
    Officer,
    draw,
    incident_address,
    is_juvenile,
    narrative,
    officer_fields,
    roster,
    spelled,
    subjects,
)
from tooling.generator.use_of_force_reference import (
    ASSIGNMENT,
    UseOfForceReference,
    load_use_of_force_reference,
)

INTERNAL_UOF_DATASET_ID = "nopd-uof1"

# (field, display name, Socrata type), in export order: the city's 33 public columns (README
# section 3), then the private ones.
COLUMN_META = (
    ("pib_file_number", "PIB File Number", "text"),
    ("date_occurred", "Date Occurred", "calendar_date"),
    ("originating_bureau", "Originating Bureau", "text"),
    ("division_level", "Division level", "text"),
    ("division", "Division", "text"),
    ("unit", "Unit", "text"),
    ("working_status", "Working Status", "text"),
    ("shift", "Shift", "text"),
    ("investigation_status", "Investigation status", "text"),
    ("disposition", "Disposition", "text"),
    ("service_type", "Service Type", "text"),
    ("light_condition", "Light Condition", "text"),
    ("weather_condition", "Weather Condition", "text"),
    ("use_of_force_type", "Use of Force Type", "text"),
    ("use_of_force_level", "Use of Force Level", "text"),
    ("subject_influencing_factors", "Subject Influencing Factors", "text"),
    ("use_of_force_effective", "Use of Force Effective", "text"),
    ("officer_race_ethnicity", "Officer Race/Ethnicity", "text"),
    ("officer_gender", "Officer Gender", "text"),
    ("officer_age", "Officer Age", "text"),
    ("officer_years_of_service", "Officer Years of Service", "text"),
    ("distance_between", "Distance Between", "text"),
    ("subject_gender", "Subject Gender", "text"),
    ("subject_ethnicity", "Subject Ethnicity", "text"),
    ("subject_age", "Subject Age", "text"),
    ("subject_build", "Subject Build", "text"),
    ("subject_height", "Subject Height", "text"),
    ("subject_injured", "Subject Injured", "text"),
    ("subject_hospitalized", "Subject Hospitalized", "text"),
    ("subject_arrested", "Subject Arrested", "text"),
    ("subject_arrest_charges", "Subject Arrest Charges", "text"),
    ("use_of_force_reason", "Use of Force Reason", "text"),
    ("officer_injured", "Officer Injured", "text"),
    ("officer_name", "Officer Name", "text"),
    ("officer_badge_number", "Officer Badge Number", "text"),
    ("subject_name", "Subject Name", "text"),
    ("subject_date_of_birth", "Subject Date of Birth", "text"),
    ("incident_address", "Incident Address", "text"),
    ("narrative", "Narrative", "text"),
)
UOF_FIELDS = tuple(field for field, _, _ in COLUMN_META)
COLUMNS = (*UOF_FIELDS, UPDATED_AT)

# Columns drawn once per incident, in groups whose values belong together.
INCIDENT_GROUPS = {
    "assignment": ASSIGNMENT,
    "duty": ("working_status", "shift"),
    "outcome": ("investigation_status", "disposition"),
    "conditions": ("light_condition", "weather_condition"),
    "service": ("service_type",),
    "reason": ("use_of_force_reason",),
}
INCIDENT_COLUMNS = tuple(column for group in INCIDENT_GROUPS.values() for column in group)
# The other public columns by what they describe. Distance is drawn per officer (the old
# exports never vary it across an officer's force types); the force columns per officer and
# force type; the subject columns per subject (all blank when an incident has none).
OFFICER_COLUMNS = (
    "officer_race_ethnicity", "officer_gender", "officer_age", "officer_years_of_service",
    "officer_injured", "distance_between",
)  # fmt: skip
FORCE_COLUMNS = ("use_of_force_type", "use_of_force_level", "use_of_force_effective")
SUBJECT_COLUMNS = (
    "subject_gender", "subject_ethnicity", "subject_age", "subject_build", "subject_height",
    "subject_injured", "subject_hospitalized", "subject_arrested", "subject_arrest_charges",
    "subject_influencing_factors",
)  # fmt: skip
# Groups one officer's rows may disagree on (the real lists in single-value columns are
# assignments, duty, service type, conditions and reasons, never the outcome).
INCONSISTENT_GROUPS = ("assignment", "duty", "conditions", "service", "reason")
BLANK_SIDE_SHARE = 1 / 3  # 3 of the 9 such incidents in the 2024 export
REDRAWS = 10

CREW_BUCKETS = 4  # subjects per incident are drawn for 1, 2, 3 and 4+ officers
MAX_SEQUENCE = 9_999  # four digits in a tracking number
SEQUENCE_HEADROOM = 0.9  # the largest expected yearly count, as a share of MAX_SEQUENCE
# Rates chosen here, above the real ones where those are known, so that a few months at scale
# 1 hold each case the pipeline must handle:
MALFORMED_ID_SHARE = 0.005  # 2024 export: 6 of 3,879 numbers
MISSING_DATE_SHARE = 0.002  # 2024 export: 1 of 3,879 dates
RESENT_SHARE = 0.03  # no export shows versions; the dataset "includes initial reviews"
NO_SUBJECT_SHARE = 0.01  # 2 of 1,957 incidents (2020 export), 1 of 3,879 (2024)
# Shapes of the malformed numbers in the 2024 export: ftn2023-0214 (3), UF2014-0988 (2),
# 2020-0097 (1).
MALFORMED_SHAPES = Weighted([("ftn", 3.0), ("UF", 2.0), ("", 1.0)])
# The nightly export picks a report up one to three nights after the incident, between 03:00
# and 05:00 (clear of both DST changes); a re-export comes 1 to 30 days after the first.
EXPORT_HOUR = 3
EXPORT_WINDOW_SECONDS = 2 * 3600
REPORT_NIGHTS = 3
RESEND_DAYS = 30

Row = dict[str, str | None]


@dataclass(frozen=True)
class UseOfForceSummary:
    """What was written, with a count per injected fault so tests can reconcile.

    ``incidents`` counts tracking numbers; ``exact_duplicates`` the extra copies of rows;
    ``resent_incidents`` incidents written twice, an Initial/Pending set of rows and then the
    final set with a later ``:updated_at``; ``malformed_ids`` and ``missing_dates`` incidents
    with such a number or a blank date; ``juvenile_subjects`` subjects under 18 (once per
    incident);
    ``misspelled_values`` cells holding a variant listed in ``use_of_force_corrections.csv``;
    ``inconsistent_incidents`` incidents whose rows disagree on an incident-level column.
    """

    path: Path
    meta_path: Path
    days: int
    rows: int
    incidents: int
    exact_duplicates: int
    resent_incidents: int
    malformed_ids: int
    missing_dates: int
    juvenile_subjects: int
    misspelled_values: int
    inconsistent_incidents: int


COUNTS = tuple(
    f.name for f in fields(UseOfForceSummary) if f.name not in {"path", "meta_path", "days"}
)


def generate_use_of_force(
    start: date, end: date, *, seed: int = DEFAULT_SEED, scale: float = 1.0
) -> Iterator[Row]:
    """Yield internal-export rows for the local days ``start``..``end`` inclusive, day by day."""
    for day in _days(start, end, scale):
        rows, _ = _generate_day(day, seed, float(scale))
        yield from rows


def write_use_of_force_export(
    data_dir: Path,
    start: date,
    end: date,
    *,
    seed: int = DEFAULT_SEED,
    scale: float = 1.0,
    dataset_id: str = INTERNAL_UOF_DATASET_ID,
) -> UseOfForceSummary:
    """Write ``DIR/<dataset_id>.csv`` and its ``.meta.json`` sidecar, one day at a time.

    The CSV is written under a temporary name and renamed at the end, so a portal never loads
    half a file.
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
    return UseOfForceSummary(
        path=path, meta_path=meta_path, days=len(days), **{name: totals[name] for name in COUNTS}
    )


def _days(start: date, end: date, scale: float) -> list[date]:
    if end < start:
        raise ValueError(f"end {end} is before start {start}")
    if scale <= 0:
        raise ValueError(f"scale must be positive, got {scale}")
    # Refused up front, with headroom for a busy year, rather than failing in December.
    ref = load_use_of_force_reference()
    yearly = scale * 365.25 / 12 * sum(ref.incidents_per_day.values())
    if yearly > SEQUENCE_HEADROOM * MAX_SEQUENCE:
        raise ValueError(
            f"scale {scale} means about {yearly:,.0f} incidents a year, too many for the "
            f"4-digit tracking numbers (at most {MAX_SEQUENCE:,})"
        )
    return [start + timedelta(days=offset) for offset in range((end - start).days + 1)]


def _metadata() -> dict[str, object]:
    return {
        "name": "NOPD use-of-force reports (internal export)",
        "description": (
            "Internal export of NOPD use-of-force reports, in the old layout: one row per "
            "officer, force type and subject of an incident (PIB file number). Not for "
            "publication: it names officers (with badge numbers) and subjects (with dates of "
            "birth), gives the exact address and a narrative, and holds juvenile subjects' "
            "ages. It repeats rows (exact duplicates, and earlier versions of re-exported "
            "incidents with an earlier :updated_at) and spells some values inconsistently. "
            "Generated data."
        ),
        "columns": [
            {"fieldName": field, "name": name, "dataTypeName": kind}
            for field, name, kind in COLUMN_META
        ],
        "rowIdentifier": None,
    }


@lru_cache(maxsize=8192)
def _incidents_on(day: date, seed: int, scale: float) -> int:
    """The day's incident count: Poisson around the month's rate times the weekday's factor."""
    ref = load_use_of_force_reference()
    mean = ref.incidents_per_day[day.month] * ref.weekday_factors[day.weekday()] * scale
    rng = Random(f"{seed}|{day.isoformat()}|{scale!r}|use-of-force|volume")
    return _poisson(rng, mean)


def _poisson(rng: Random, mean: float) -> int:
    """A Poisson draw by inversion (one ``random()``), fine for the small daily means here."""
    u = rng.random()
    count, term = 0, math.exp(-mean)
    cumulative = term
    while u > cumulative and term > 0:
        count += 1
        term *= mean / count
        cumulative += term
    return count


def _first_sequence(day: date, seed: int, scale: float) -> int:
    start = date(day.year, 1, 1)
    earlier = (start + timedelta(days=offset) for offset in range((day - start).days))
    return 1 + sum(_incidents_on(d, seed, scale) for d in earlier)


def _tracking_number(day: date, sequence: int, shape: str | None) -> str:
    """``FTN2026-0214``, or one of the malformed shapes (``ftn``, ``UF`` or no prefix)."""
    prefix = "FTN" if shape is None else shape
    return f"{prefix}{day.year}-{sequence:04d}"


def _generate_day(day: date, seed: int, scale: float) -> tuple[list[Row], Counter[str]]:
    ref = load_use_of_force_reference()
    count = _incidents_on(day, seed, scale)
    first = _first_sequence(day, seed, scale)
    if first + count - 1 > MAX_SEQUENCE:
        raise ValueError(
            f"{day.year} needs tracking numbers past {MAX_SEQUENCE}: scale {scale} is too large"
        )
    rng = Random(f"{seed}|{day.isoformat()}|{scale!r}|use-of-force")
    # The CAD generator's three quota phases, reused so these three rare faults keep apart.
    malformed = _rare(rng, count, MALFORMED_ID_SHARE, day, "missing_id")
    undated = _rare(rng, count, MISSING_DATE_SHARE, day, "bad_timestamp")
    officers = roster(seed, day.year)
    incidents = [
        _Incident(rng, ref, officers, day, dated=index not in undated) for index in range(count)
    ]
    crews = [incident for incident in incidents if len(incident.crew) > 1]
    share = ref.rates["inconsistent_share_of_multi_officer"]
    for index in sorted(_rare(rng, len(crews), share, day, "test_calls")):
        crews[index].disagree(rng, ref)

    rows: list[Row] = []
    counts: Counter[str] = Counter(
        incidents=count, malformed_ids=len(malformed), missing_dates=len(undated)
    )
    for index, incident in enumerate(incidents):
        shape = MALFORMED_SHAPES.pick(rng) if index in malformed else None
        rows += incident.versions(rng, ref, _tracking_number(day, first + index, shape), counts)
    counts["rows"] = len(rows)
    counts["misspelled_values"] = sum(
        (column, value) in ref.variant_cells for row in rows for column, value in row.items()
    )
    return rows, counts


def _rare(rng: Random, population: int, share: float, day: date, phase: str) -> set[int]:
    """Which of a day's ``population`` get a rare fault (a quota, so rates hold over days)."""
    quota = defects.daily_quota(population, share, day, phase)
    return defects.pick_indices(rng, quota, population)


class _Incident:
    """One incident: its people and forces, drawn once, and the rows they make.

    Rows are the cross product of each officer's force types and the subjects (one row per
    officer and force type when there is no subject), as in the city's old-layout exports.
    ``per_officer`` holds the incident-level columns as each officer's rows give them: the
    same for all, unless ``disagree`` gave one officer other values.
    """

    __slots__ = ("crew", "day", "forces", "people", "per_officer", "resent")

    def __init__(
        self,
        rng: Random,
        ref: UseOfForceReference,
        officers: tuple[Officer, ...],
        day: date,
        *,
        dated: bool,
    ) -> None:
        self.day = day
        self.resent = rng.random() < RESENT_SHARE
        incident = _incident_fields(rng, ref, resent=self.resent)
        incident["date_occurred"] = floating(datetime.combine(day, time())) if dated else None
        crew_size = ref.structure["officers_per_incident"].pick(rng)
        picked = sorted(defects.pick_indices(rng, crew_size, ROSTER_SIZE))
        self.crew = [
            officer_fields(officers[index])
            | {
                "officer_injured": draw(rng, ref, "officer_injured"),
                "distance_between": draw(rng, ref, "distance_between"),
            }
            for index in picked
        ]
        self.people = []
        if rng.random() >= NO_SUBJECT_SHARE:
            bucket = f"subjects_for_crew_of_{min(crew_size, CREW_BUCKETS)}"
            self.people = subjects(rng, ref, day, ref.structure[bucket].pick(rng))
        self.forces = [_forces(rng, ref) for _ in picked]
        address = incident_address(rng)
        incident["incident_address"] = address
        incident["narrative"] = narrative(
            rng,
            officer=officers[picked[0]],
            subject=self.people[0] if self.people else None,
            force=self.forces[0][0]["use_of_force_type"] or "",
            service=incident["service_type"] or "",
            address=address,
        )
        self.per_officer = [incident] * crew_size

    def disagree(self, rng: Random, ref: UseOfForceReference) -> None:
        """Give one officer's rows (never the first officer's) other incident-level values."""
        odd = 1 + int(rng.random() * (len(self.crew) - 1))
        self.per_officer[odd] = _disagreeing(rng, ref, self.per_officer[0])

    def rows(self) -> list[Row]:
        rows = []
        for incident, officer, forces in zip(self.per_officer, self.crew, self.forces, strict=True):
            for force in forces:
                for subject in self.people or [_NO_SUBJECT]:
                    rows.append(incident | officer | force | subject)
        return rows

    def versions(
        self, rng: Random, ref: UseOfForceReference, number: str, counts: Counter[str]
    ) -> list[Row]:
        """The rows as exported: once, or an Initial/Pending version and then the final one.

        Exact duplicates come from how the export joins an incident's rows, so every version
        of an affected incident repeats the same rows. Bigger incidents are hit more often.
        """
        rows = self.rows()
        counts["juvenile_subjects"] += sum(map(is_juvenile, self.people))
        counts["inconsistent_incidents"] += any(i != self.per_officer[0] for i in self.per_officer)
        copies = [0] * len(rows)
        if rng.random() < len(rows) * ref.rates["duplicate_incident_per_row"]:
            copies[int(rng.random() * len(copies))] = 1
            for index in range(len(copies)):
                if rng.random() < ref.rates["duplicate_row_share"]:
                    copies[index] = ref.structure["duplicate_extra_copies"].pick(rng)
        night = self.day + timedelta(days=1 + int(rng.random() * REPORT_NIGHTS))
        exported = [_export_time(rng, night)]
        if self.resent:
            resend = exported[0].date() + timedelta(days=1 + int(rng.random() * RESEND_DAYS))
            exported.append(_export_time(rng, resend))
            counts["resent_incidents"] += 1
        written: list[Row] = []
        for version, moment in enumerate(exported):
            stamp = {"pib_file_number": number, UPDATED_AT: system_timestamp(moment)}
            if version < len(exported) - 1:
                stamp |= {"investigation_status": "Initial", "disposition": "Pending"}
            for row, extra in zip(rows, copies, strict=True):
                written += [row | stamp for _ in range(1 + extra)]
            counts["exact_duplicates"] += sum(copies)
        return written


_NO_SUBJECT: Row = dict.fromkeys((*SUBJECT_COLUMNS, "subject_name", "subject_date_of_birth"))


def _incident_fields(rng: Random, ref: UseOfForceReference, *, resent: bool) -> Row:
    """The incident-level columns. A re-exported incident ends decided (Completed)."""
    values: Row = {}
    for group in INCIDENT_GROUPS:
        values |= _draw_group(rng, ref, group, decided=resent)
    return values


def _draw_group(rng: Random, ref: UseOfForceReference, group: str, *, decided: bool) -> Row:
    columns = INCIDENT_GROUPS[group]
    if group == "assignment":
        values: tuple[str, ...] = ref.assignments.pick(rng)
    elif group == "outcome" and decided:
        values = ref.completed_outcomes.pick(rng)
    elif len(columns) == 2:
        values = ref.pairs[columns].pick(rng)
    else:
        values = (ref.values[columns[0]].pick(rng),)
    return {
        column: spelled(rng, ref, column, value)
        for column, value in zip(columns, values, strict=True)
    }


def _disagreeing(rng: Random, ref: UseOfForceReference, incident: Row) -> Row:
    """The incident's columns as one officer's rows give them: one group blank or redrawn.

    A third of the real lists in single-value columns have a blank side (``" | Good"``). A
    group that redraws the same values every time stays as it is.
    """
    group = INCONSISTENT_GROUPS[int(rng.random() * len(INCONSISTENT_GROUPS))]
    columns = INCIDENT_GROUPS[group]
    if rng.random() < BLANK_SIDE_SHARE and any(incident[column] for column in columns):
        return incident | dict.fromkeys(columns)
    for _ in range(REDRAWS):
        redrawn = _draw_group(rng, ref, group, decided=False)
        if any(redrawn[column] != incident[column] for column in columns):
            return incident | redrawn
    return incident


def _forces(rng: Random, ref: UseOfForceReference) -> list[Row]:
    """An officer's force types (distinct), each with its level and whether it worked."""
    wanted = ref.structure["force_types_per_officer"].pick(rng)
    kinds: dict[str, str] = {}
    while len(kinds) < wanted:
        kind, level = ref.pairs[("use_of_force_type", "use_of_force_level")].pick(rng)
        kinds.setdefault(kind, level)
    return [
        {
            "use_of_force_type": spelled(rng, ref, "use_of_force_type", kind),
            "use_of_force_level": level or None,
            "use_of_force_effective": draw(rng, ref, "use_of_force_effective"),
        }
        for kind, level in kinds.items()
    ]


def _export_time(rng: Random, night: date) -> datetime:
    """When the nightly export wrote a version: local time, whole seconds."""
    offset = timedelta(seconds=int(rng.random() * EXPORT_WINDOW_SECONDS))
    return datetime.combine(night, time(EXPORT_HOUR)) + offset
