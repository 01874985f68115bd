"""What a source's internal dataset must look like before any of its rows are loaded.

Why: the city's exports changed layout between years (`type` became `type_`, `TimeArrive`
became `TimeArrival` and back, columns came and went). The raw loader keeps whatever
columns a dataset has, so a renamed or removed column would otherwise reach the models as a
column of nulls: every call silently published without its arrival time, or the privacy
checks reading a caller-name column that no longer fills. A layout the models cannot read
is a dataset-level defect, so it fails the raw step, naming the columns, before anything
downstream (dbt, the contracts, the publish) runs. So does a dataset that does not exist or
holds no rows at all: an emptied export re-run over published days would otherwise withdraw
every published row of those days.

Known renames are aliases, not defects: the staging models read whichever spelling the
dataset has (the `source_column` macro).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from orchestration.catalog import Source
from orchestration.socrata.client import SocrataClient


@dataclass(frozen=True)
class SourceColumn:
    """A column the staging model reads, with the other names the city's exports gave it."""

    name: str
    aliases: tuple[str, ...] = ()

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


def columns(*names: str, aliases: Mapping[str, tuple[str, ...]] | None = None):
    aliases = aliases or {}
    return tuple(SourceColumn(name, aliases.get(name, ())) for name in names)


# Every source field the staging models read. Keep in step with models/staging/stg_*.sql.
REQUIRED_COLUMNS: dict[str, tuple[SourceColumn, ...]] = {
    "calls_for_service": columns(
        "nopd_item", "type", "typetext", "priority", "initialtype", "initialtypetext",
        "initialpriority", "timecreate", "timedispatch", "timearrive", "timeclosed",
        "disposition", "dispositiontext", "selfinitiated", "beat", "address", "zip",
        "policedistrict", "latitude", "longitude", "caller_name", "caller_phone", "narrative",
        aliases={"type": ("type_",), "timearrive": ("timearrival",)},
    ),
    "use_of_force": columns(
        "pib_file_number", "date_occurred", "originating_bureau", "division_level", "division",
        "unit", "working_status", "shift", "investigation_status", "disposition",
        "service_type", "light_condition", "weather_condition", "use_of_force_type",
        "use_of_force_level", "subject_influencing_factors", "use_of_force_effective",
        "officer_race_ethnicity", "officer_gender", "officer_age", "officer_years_of_service",
        "distance_between", "subject_gender", "subject_ethnicity", "subject_age",
        "subject_build", "subject_height", "subject_injured", "subject_hospitalized",
        "subject_arrested", "subject_arrest_charges", "use_of_force_reason", "officer_injured",
        "officer_name", "officer_badge_number", "subject_name", "subject_date_of_birth",
        "incident_address", "narrative",
    ),
    "service_requests_311": columns(
        "service_request", "request_type", "request_reason", "date_created", "date_modified",
        "case_close_date", "request_status", "responsible_agency", "final_address",
        "address_councildis", "final_x", "final_y", "latitude", "longitude", "status",
        "contractor", "contractor_action", "rowid", "requester_name", "requester_phone",
        "requester_email",
    ),
}  # fmt: skip


class SourceSchemaError(RuntimeError):
    """The internal dataset cannot be read as the models expect; nothing may be loaded."""


@dataclass(frozen=True)
class SourceLayout:
    """A dataset's columns against the source's required ones."""

    fields: tuple[str, ...]
    missing: tuple[SourceColumn, ...]
    aliases_used: Mapping[str, str]  # required column -> the older name the dataset uses


def source_layout(source: Source, fields: Iterable[str]) -> SourceLayout:
    present = tuple(fields)
    required = REQUIRED_COLUMNS.get(source.name, ())  # a source added since: existence only
    return SourceLayout(
        fields=present,
        missing=tuple(c for c in required if not any(name in present for name in c.names)),
        aliases_used={
            c.name: next(alias for alias in c.aliases if alias in present)
            for c in required
            if c.name not in present and any(alias in present for alias in c.aliases)
        },
    )


def check_source_dataset(client: SocrataClient, source: Source, dataset_id: str) -> SourceLayout:
    """The dataset's layout, or a SourceSchemaError naming what makes it unreadable."""
    where = f"the internal dataset {dataset_id} ({source.title})"
    view = client.get_view(dataset_id)
    if view is None:
        raise SourceSchemaError(f"{where} does not exist on the internal portal {client.domain}")
    layout = source_layout(source, (column["fieldName"] for column in view.get("columns", [])))
    if layout.missing:
        described = ", ".join(
            column.name + "".join(f" (or {alias})" for alias in column.aliases)
            for column in layout.missing
        )
        raise SourceSchemaError(
            f"{where} lacks required column(s): {described}; "
            f"its columns are {', '.join(layout.fields) or 'none'}"
        )
    if client.count(dataset_id) == 0:
        raise SourceSchemaError(
            f"{where} has no rows at all: an emptied export would withdraw published days"
        )
    return layout
