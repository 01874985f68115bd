"""Internal exports rebuilt from the city's published rows, and the rules to compare them by.

Calls for service: each published 2022 call becomes the internal row it was cut from, as
far as the public columns tell: a house number inside its published hundred-block (the same
one on every run), the coordinates of its published `Location`, no caller or narrative, every
other column as the city published it, in the internal layout's names and timestamp format
(the generator's writer: tooling/generator/calls_for_service.py). Where the city published an
address the platform must not (`Approx Loc:7238 Downman Rd`, `1500Blk General De Gaulle Dr`),
the internal row carries it as the city published it: the platform has to catch it.

Two defects of the copy are not the city's and are undone first (README of ../shared/data,
PROVENANCE.txt): it went through a spreadsheet, which turned beats like `8E01` into
`8.00E+01`, and a third party wrote missing zips and beats as `None`.

Use of force: the city's current layout is one row per incident with lists joined by " | ";
the platform's internal layout is the old one, a row per officer, force and subject. Each
incident is split back into rows: the i-th entry of every officer and force list to the i-th
officer (the public lists repeat an officer per force, so each entry is its own officer), the
k-th entry of every subject list to the k-th subject. A list whose length does not match its
grain's (the public lists do not always align) goes whole onto the first officer or subject,
so the published list, which skips blanks, is the city's text again.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from tooling.generator import calls_for_service as cfs_generator
from tooling.generator import use_of_force as uof_generator
from tooling.generator.clock import floating, system_timestamp

CITY_CALLS = Path("calls_for_service") / "cfs_2022_cfs_columns_only__derived_from_eos.csv"
CITY_USE_OF_FORCE = Path("use_of_force") / "NOPD_Use_of_Force_Incidents_20240701.csv"
CITY_TIME_FORMAT = "%m/%d/%Y %H:%M"  # 1/1/2022 1:07, local time (the copy dropped seconds)

# Internal calls-for-service field -> the city's CSV header for the same column.
CITY_CALL_COLUMNS = {
    "nopd_item": "NOPD_Item",
    "type": "Type",
    "typetext": "TypeText",
    "priority": "Priority",
    "initialtype": "InitialType",
    "initialtypetext": "InitialTypeText",
    "initialpriority": "InitialPriority",
    "timecreate": "TimeCreate",
    "timedispatch": "TimeDispatch",
    "timearrive": "TimeArrive",
    "timeclosed": "TimeClosed",
    "disposition": "Disposition",
    "dispositiontext": "DispositionText",
    "selfinitiated": "SelfInitiated",
    "beat": "Beat",
    "zip": "Zip",
    "policedistrict": "PoliceDistrict",
}
TIME_FIELDS = ("timecreate", "timedispatch", "timearrive", "timeclosed")

# The published calls-for-service columns compared with the city's, and how: times as
# moments, texts case- and space-insensitively (the platform publishes a code's text from
# its rule tables), codes as staging upper-cases them, the rest exactly.
COMPARED_TIMES = TIME_FIELDS
COMPARED_TEXTS = ("typetext", "initialtypetext", "dispositiontext")
COMPARED_COLUMNS = (
    "type_", "typetext", "priority", "initialtype", "initialtypetext", "initialpriority",
    "timecreate", "timedispatch", "timearrive", "timeclosed", "disposition", "dispositiontext",
    "beat", "zip", "policedistrict",
)  # fmt: skip
PUBLIC_TO_CITY = {**CITY_CALL_COLUMNS, "type_": "Type"}

JUVENILE_CODES = frozenset({"21J", "21JU", "17J", "93", "21RJ", "21T"})
JUVENILE_TEXT = re.compile(
    r"JUVENILE|\bJUV\b|RUNAWAY|TRUAN|CHILD ABUSE|CHILD NEGLECT|ABUSE/NEGL"
    r"|CRUELTY TO (A )?(JUV|CHILD|MINOR)|MISSING (CHILD|MINOR)|UNDER 1[0-9] YOA"
)

# Digits a block address may hold without giving a house number away: a hundred-block
# (`030XX`, `Approx Loc:072XX`), a highway (`I-10`, `I-610`, `US90B`, `US 61`, `LA-47`,
# `Hwy 90`) or an ordinal street (`2nd St`).
_HUNDRED_BLOCK = r"(?<![0-9])[0-9]{3,}XX\b"
_HIGHWAY = r"\b(?:I|US|LA|HWY|HIGHWAY|INTERSTATE|RTE|ROUTE)[- ]?[0-9]+[A-Z]?\b"
_ORDINAL = r"\b[0-9]*(?:1ST|2ND|3RD|[04-9]TH|1[1-3]TH)\b"
_ALLOWED_DIGITS = re.compile("|".join((_HUNDRED_BLOCK, _HIGHWAY, _ORDINAL)), re.IGNORECASE)

_SPREADSHEET_BEAT = re.compile(r"([0-8])\.00E\+0?([0-9]{1,2})")  # 8E01 read as 8 x 10^1
# `029XX Blk Josephine St`: the 2022 rows also mark some hundred-blocks with `Blk` (a form
# of the block, not of the address: the internal address has none).
_HUNDRED_BLOCK_PREFIX = re.compile(r"([0-9]{3,})XX (?:Blk |Block Of )?(.+)", re.IGNORECASE)
_SHORT_BLOCK_PREFIX = re.compile(r"(XX?) (.+)")  # the city's form for 1- and 2-digit numbers
_POINT = re.compile(r"POINT \((-?[0-9.]+) (-?[0-9.]+)\)")


# --------------------------------------------------------------------------- calls for service


def read_city_calls(shared_data: Path) -> list[dict[str, str]]:
    """The city's 2022 rows, with the copy's spreadsheet damage undone."""
    with (shared_data / CITY_CALLS).open(encoding="utf-8", newline="") as handle:
        return [repaired(row) for row in csv.DictReader(handle)]


def repaired(row: Mapping[str, str]) -> dict[str, str]:
    """`8.00E+01` -> `8E01`; `None` (a third party's missing value) -> blank."""
    fixed = {column: "" if value == "None" else value for column, value in row.items()}
    beat = _SPREADSHEET_BEAT.fullmatch(fixed["Beat"])
    if beat:
        fixed["Beat"] = f"{beat.group(1)}E{int(beat.group(2)):02d}"
    return fixed


def city_time(text: str | None) -> datetime | None:
    return datetime.strptime(text, CITY_TIME_FORMAT) if text else None


def call_day(row: Mapping[str, str]) -> date:
    """The partition day of a call: the local date it was created."""
    created = city_time(row["TimeCreate"])
    assert created is not None, row["NOPD_Item"]
    return created.date()


def _digit(item: str, salt: str, modulus: int) -> int:
    return int.from_bytes(hashlib.sha256(f"{item}|{salt}".encode()).digest()[:4]) % modulus


def internal_address(block_address: str, item: str) -> str:
    """A house number inside the published block, the same for the same call every time.

    `030XX Oliver White Ave` -> `30NN Oliver White Ave`; `X Canal St` -> a 1-digit number,
    `XX Veterans Blvd` a 2-digit one. Intersections, named places and the city's own leaks
    stay as the city published them.
    """
    hundred = _HUNDRED_BLOCK_PREFIX.fullmatch(block_address)
    if hundred:
        number = int(hundred.group(1)) * 100 + _digit(item, "house", 100)
        return f"{max(number, 1)} {hundred.group(2)}"
    short = _SHORT_BLOCK_PREFIX.fullmatch(block_address)
    if short:
        number = (
            1 + _digit(item, "house", 9)
            if short.group(1) == "X"
            else 10 + _digit(item, "house", 90)
        )
        return f"{number} {short.group(2)}"
    return block_address


def without_block_marker(block_address: str) -> str:
    """`029XX Blk Josephine St` -> `029XX Josephine St`; blanks collapsed."""
    hundred = _HUNDRED_BLOCK_PREFIX.fullmatch(block_address)
    plain = f"{hundred.group(1)}XX {hundred.group(2)}" if hundred else block_address
    return " ".join(plain.split())


def coordinates(location: str) -> tuple[str, str]:
    """(latitude, longitude) of a published `POINT (lon lat)`; blank for none or `POINT (0 0)`."""
    point = _POINT.fullmatch(location.strip())
    if not point or float(point.group(1)) == 0 or float(point.group(2)) == 0:
        return "", ""
    return point.group(2), point.group(1)


def internal_call(row: Mapping[str, str]) -> dict[str, str]:
    """The internal export row a published call was cut from, as far as its columns tell."""
    internal = {field: row[city] for field, city in CITY_CALL_COLUMNS.items()}
    times = {field: city_time(row[CITY_CALL_COLUMNS[field]]) for field in TIME_FIELDS}
    for field, moment in times.items():
        internal[field] = floating(moment) if moment else ""
    latitude, longitude = coordinates(row["Location"])
    newest = max(moment for moment in times.values() if moment is not None)
    internal.update(
        address=internal_address(row["BLOCK_ADDRESS"], row["NOPD_Item"]),
        latitude=latitude,
        longitude=longitude,
        caller_name="",
        caller_phone="",
        narrative="",
        # Exported a day after the call's last time: no time may lie after the export.
        **{cfs_generator.UPDATED_AT: system_timestamp(newest + timedelta(days=1))},
    )
    return internal


def write_export(
    directory: Path, dataset_id: str, columns: Sequence[str], metadata: object, rows: Iterable
) -> Path:
    """`<dataset_id>.csv` and its view sidecar, as the generator writes them."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{dataset_id}.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows([row.get(column) or "" for column in columns] for row in rows)
    (directory / f"{dataset_id}.meta.json").write_text(
        json.dumps(metadata, indent=2) + "\n", encoding="utf-8"
    )
    return path


def write_calls_export(directory: Path, dataset_id: str, city_rows: Iterable) -> Path:
    return write_export(
        directory,
        dataset_id,
        cfs_generator.COLUMNS,
        cfs_generator._metadata(),
        (internal_call(row) for row in city_rows),
    )


def house_number_digits(address: str | None) -> list[str]:
    """The digit runs of an address that may be a house number (none for a safe address)."""
    if not address:
        return []
    return re.findall(r"[0-9]+", _ALLOWED_DIGITS.sub(" ", address))


def plain_text(value: str | None) -> str | None:
    """A text as compared: upper case, runs of blanks one space; blank is None."""
    if value is None:
        return None
    text = " ".join(value.split()).upper()
    return text or None


def is_juvenile(code: str | None, text: str | None) -> bool:
    return (plain_text(code) or "") in JUVENILE_CODES or bool(
        JUVENILE_TEXT.search(plain_text(text) or "")
    )


def published_time(value: str | None) -> datetime | None:
    """A published floating timestamp (`2022-01-01T01:07:00.000`) as a moment."""
    return datetime.fromisoformat(value.rstrip("Z")) if value else None


def city_value(row: Mapping[str, str], column: str) -> object:
    """The city's value of a published column, in the form the comparison uses."""
    value = row[PUBLIC_TO_CITY[column]] or None
    if column in COMPARED_TIMES:
        return city_time(value)
    if column in COMPARED_TEXTS:
        return plain_text(value)
    if column in ("priority", "initialpriority", "beat", "disposition"):
        return value.upper() if value else None  # staging upper-cases these codes
    return value


def public_value(row: Mapping[str, object], column: str) -> object:
    value = row.get(column)
    value = None if value in (None, "") else str(value)
    if column in COMPARED_TIMES:
        return published_time(value)
    if column in COMPARED_TEXTS:
        return plain_text(value)
    return value


# --------------------------------------------------------------------------------- use of force

UOF_FIELD_OF = {name: field for field, name, _ in uof_generator.COLUMN_META}
UOF_PUBLIC_FIELDS = tuple(
    field for field, _, _ in uof_generator.COLUMN_META[:33]
)  # the city's 33 public columns, in its order
UOF_OFFICER = (
    "officer_race_ethnicity", "officer_gender", "officer_age", "officer_years_of_service",
    "officer_injured",
)  # fmt: skip
UOF_FORCE = (
    "use_of_force_type",
    "use_of_force_level",
    "use_of_force_effective",
    "distance_between",
)
UOF_SUBJECT = (
    "subject_gender", "subject_ethnicity", "subject_age", "subject_build", "subject_height",
    "subject_injured", "subject_hospitalized", "subject_arrested", "subject_arrest_charges",
    "subject_influencing_factors",
)  # fmt: skip
UOF_LISTED = frozenset(UOF_OFFICER + UOF_FORCE + UOF_SUBJECT)
UOF_COMPARED = tuple(f for f in UOF_PUBLIC_FIELDS if f not in ("pib_file_number", "date_occurred"))
SEPARATOR = " | "


@dataclass(frozen=True)
class Incident:
    """One row of the city's current use-of-force layout, under the internal field names."""

    values: dict[str, str]

    @property
    def ftn(self) -> str:
        return self.values["pib_file_number"]

    @property
    def occurred(self) -> date | None:
        text = self.values["date_occurred"]
        return datetime.strptime(text, "%m/%d/%Y").date() if text else None


def read_city_incidents(shared_data: Path) -> list[Incident]:
    with (shared_data / CITY_USE_OF_FORCE).open(encoding="utf-8", newline="") as handle:
        return [
            Incident({UOF_FIELD_OF[name]: value for name, value in row.items()})
            for row in csv.DictReader(handle)
        ]


def entries(value: str) -> list[str]:
    return value.split(SEPARATOR) if value else []


@dataclass(frozen=True)
class Split:
    """How an incident's lists go onto rows: per column, entries by position or whole."""

    officers: int
    subjects: int
    by_position: frozenset[str]


def split_of(incident: Incident) -> Split:
    lengths = {field: len(entries(incident.values[field])) for field in UOF_LISTED}
    officers = max(1, *(lengths[field] for field in UOF_OFFICER + UOF_FORCE))
    subjects = max(lengths[field] for field in UOF_SUBJECT)
    return Split(
        officers=officers,
        subjects=subjects,
        by_position=frozenset(
            field
            for field in UOF_LISTED
            if lengths[field]
            == (subjects if field in UOF_SUBJECT else officers)
            > (0 if field in UOF_SUBJECT else 1)
        ),
    )


def _listed_value(incident: Incident, split: Split, field: str, index: int) -> str:
    if field in split.by_position:
        return entries(incident.values[field])[index]
    return incident.values[field] if index == 0 else ""


def internal_incident_rows(incident: Incident) -> list[dict[str, str]]:
    """The old layout's rows: officer i's force i, crossed with every subject."""
    split = split_of(incident)
    occurred = incident.occurred
    assert occurred is not None, incident.ftn
    base = {
        field: incident.values[field]
        for field in UOF_PUBLIC_FIELDS
        if field not in UOF_LISTED and field != "date_occurred"
    }
    base["date_occurred"] = floating(datetime.combine(occurred, datetime.min.time()))
    base[uof_generator.UPDATED_AT] = system_timestamp(
        datetime.combine(occurred + timedelta(days=2), datetime.min.time())
    )
    rows = []
    for officer in range(split.officers):
        for subject in range(max(1, split.subjects)):
            row = dict(base)
            row.update(
                {f: _listed_value(incident, split, f, officer) for f in UOF_OFFICER + UOF_FORCE},
                officer_name=f"Officer {incident.ftn} {officer:02d}",
                officer_badge_number=f"{officer:04d}",
            )
            if split.subjects:
                row.update(
                    {f: _listed_value(incident, split, f, subject) for f in UOF_SUBJECT},
                    subject_name=f"Subject {incident.ftn} {subject:02d}",
                )
            rows.append(row)
    return rows


def write_use_of_force_export(directory: Path, dataset_id: str, incidents: Iterable) -> Path:
    return write_export(
        directory,
        dataset_id,
        uof_generator.COLUMNS,
        uof_generator._metadata(),
        (row for incident in incidents for row in internal_incident_rows(incident)),
    )


def expected_incident(
    incident: Incident,
    corrections: Mapping[tuple[str, str], str],
    juvenile_age_below: int,
) -> dict[str, str | None]:
    """The public columns the platform should publish for an incident: the city's values,
    each value the seed corrects corrected, a juvenile subject's age generalized."""
    split = split_of(incident)

    def published(field: str, value: str) -> str | None:
        if not value:
            return None
        value = corrections.get((field, value), value)
        if field == "subject_age":
            age = re.match(r"\s*([0-9]+)", value)
            if age and int(age.group(1)) < juvenile_age_below:
                return "Juvenile"
        return value

    expected: dict[str, str | None] = {}
    for field in UOF_COMPARED:
        value = incident.values[field]
        if field in split.by_position:
            kept = [v for v in (published(field, e) for e in entries(value)) if v is not None]
            expected[field] = SEPARATOR.join(kept) or None
        else:
            expected[field] = published(field, value)
    return expected
