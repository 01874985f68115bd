"""The hand-written tables the 311 generator draws from, loaded once per process.

No real 311 extract of the current dataset exists (README 4.1), so unlike the CAD tables these
are written by hand from the README's facts and the 100 legacy rows' aggregates; each row's
``source`` column says which. They sit beside the CAD tables (``service_requests_*.csv``) so
they ship as the same package data. Addresses reuse the CAD street segments: a 311 request
names a house, so only numbered addresses are drawn.
"""

from __future__ import annotations

import csv
import dataclasses
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib.resources import files

from tooling.generator.reference import Reference, load_reference
from tooling.generator.sampling import Weighted

COUNCIL_DISTRICTS = ("A", "B", "C", "D", "E")


@dataclass(frozen=True, slots=True)
class RequestKind:
    """One request type and reason: who handles it and how long it tends to stay open."""

    request_type: str
    request_reason: str
    responsible_agency: str
    by_contractor: bool
    median_days: float
    never_closed_share: float
    contractor_actions: Weighted[str] | None


@dataclass(frozen=True)
class ServiceRequestsReference:
    """Every 311 table in draw-ready form.

    ``contractors`` is keyed by ``(request_type, council district)``, with ``None`` for a
    request whose address was not geocoded (any of the type's contractors may get it).
    ``numbered`` is the CAD reference with highways, intersections and ungeocoded draws
    switched off, so ``places.pick_location`` yields a house-numbered address every time.
    """

    kinds: Weighted[RequestKind]
    contractors: dict[tuple[str, str | None], Weighted[str]]
    council_districts: dict[str, Weighted[str]]
    hourly: tuple[float, ...]
    weekday_factors: tuple[float, ...]
    month_factors: dict[int, float]
    repeat_lags: Weighted[int]
    first_day: date
    rates: dict[str, float]
    numbered: Reference


def _rows(name: str) -> list[dict[str, str]]:
    package = files("tooling.generator.reference")
    with package.joinpath(name).open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _pairs(encoded: str) -> list[tuple[str, float]]:
    """The ``value:weight;value:weight`` cells, for tables that must not leave them blank."""
    return [
        (value, float(weight)) for value, weight in (i.rsplit(":", 1) for i in encoded.split(";"))
    ]


def _kinds() -> Weighted[RequestKind]:
    return Weighted(
        (
            RequestKind(
                request_type=row["request_type"],
                request_reason=row["request_reason"],
                responsible_agency=row["responsible_agency"],
                by_contractor=row["handled_by"] == "contractor",
                median_days=float(row["median_days_to_close"]),
                never_closed_share=float(row["never_closed_share"]),
                contractor_actions=Weighted.parse(row["contractor_actions"]),
            ),
            float(row["weight"]),
        )
        for row in _rows("service_requests_types.csv")
    )


def _contractors() -> dict[tuple[str, str | None], Weighted[str]]:
    """Contractors per type and district; a blank district list means the whole city."""
    pools: dict[tuple[str, str | None], list[tuple[str, float]]] = defaultdict(list)
    for row in _rows("service_requests_contractors.csv"):
        pair = (row["contractor"], float(row["weight"]))
        districts = row["council_districts"].split(";") if row["council_districts"] else None
        for district in (*(districts or COUNCIL_DISTRICTS), None):
            pools[(row["request_type"], district)].append(pair)
    return {key: Weighted(pairs) for key, pairs in pools.items()}


def _profile(kind: str) -> dict[int, float]:
    return {
        int(row["key"]): float(row["weight"])
        for row in _rows("service_requests_profile.csv")
        if row["kind"] == kind
    }


@cache
def load_service_requests_reference() -> ServiceRequestsReference:
    """Parse the 311 tables once; the result is shared by all generator calls."""
    rates = {row["name"]: row["value"] for row in _rows("service_requests_rates.csv")}
    lags = _pairs(rates.pop("repeat_lag_days"))
    first_day = date.fromisoformat(rates.pop("first_day"))
    kinds, contractors = _kinds(), _contractors()
    _check_contractors(kinds, contractors)
    cad = load_reference()
    numbered_only = {"highway_share": 0.0, "intersection_share": 0.0, "ungeocoded_share": 0.0}
    hourly, weekdays = _profile("hour"), _profile("weekday")
    return ServiceRequestsReference(
        kinds=kinds,
        contractors=contractors,
        council_districts={
            row["zip"]: Weighted(_pairs(row["council_districts"]))
            for row in _rows("service_requests_council_districts.csv")
        },
        hourly=tuple(hourly[hour] for hour in range(24)),
        weekday_factors=tuple(weekdays[day] for day in range(7)),
        month_factors=_profile("month"),
        repeat_lags=Weighted((int(days), weight) for days, weight in lags),
        first_day=first_day,
        rates={name: float(value) for name, value in rates.items()},
        numbered=dataclasses.replace(cad, rates={**cad.rates, **numbered_only}),
    )


def _check_contractors(
    kinds: Weighted[RequestKind], contractors: dict[tuple[str, str | None], Weighted[str]]
) -> None:
    """Fail on load, not mid-span, if a contractor type lacks actions or a contractor."""
    for kind in kinds.values:
        if not kind.by_contractor:
            continue
        if kind.contractor_actions is None:
            raise ValueError(f"{kind.request_reason}: a contractor type needs contractor_actions")
        for district in (*COUNCIL_DISTRICTS, None):
            if (kind.request_type, district) not in contractors:
                raise ValueError(f"no {kind.request_type} contractor for district {district}")
