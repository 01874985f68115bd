"""The source catalog: one declarative entry per source drives ingest, models and publish.

A `Source` names its dataset on the internal portal, the timestamp that assigns a row to a
local day, the privacy rules that apply with their parameters (passed to dbt as a var named
after the source), and the `PublishedDataset` its mart becomes. A published dataset names its
public dataset, row identifier and public columns in the city's order and Socrata types.
Datasets derived from other marts (police response times) are published datasets without a
source of their own.

Adding a source: an entry here (and in SOURCES), its dbt models (`stg_<name>`, its `int_`
models, the mart `<name>` and `audit_<name>_row_fates`) and its contract YAML.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

import dagster as dg


@dataclass(frozen=True)
class PublicColumn:
    field_name: str
    display_name: str
    data_type: str  # Socrata dataTypeName: text, number, calendar_date, point
    description: str


AUTOMATIC = "automatic"
SETTLED = "settled"
APPROVED = "approved"
RELEASE_MODES = (AUTOMATIC, SETTLED, APPROVED)
# NOPD may reclassify a call's type for up to 36 hours after it is marked up (closed).
DEFAULT_SETTLE_HOURS = 36


@dataclass(frozen=True)
class ReleasePolicy:
    """When a day's rows may leave for the portal (docs/operating.md#release-policies).

    - `automatic`: as soon as the day's run has built and checked them.
    - `settled`: a row only once it has been closed for `settle_hours` (its mart column
      `closed_field`, city time), so that the source's late reclassifications land before
      release; rows still settling are held, counted, and published by a later run. A derived
      dataset (no `closed_field`) holds a day's figures while any row of that day in the
      marts it is derived from is still settling.
    - `approved`: a day is published only after a steward approved exactly the rows its
      publish would send (the `release_approved` check, orchestration/defs/release.py).
    A withdrawal (a row that left the public set, e.g. reclassified as juvenile) is never
    held: privacy first.
    """

    mode: str = AUTOMATIC
    settle_hours: int = DEFAULT_SETTLE_HOURS
    closed_field: str | None = None

    def __post_init__(self) -> None:
        if self.mode not in RELEASE_MODES:
            raise ValueError(f"release mode must be one of {RELEASE_MODES}, got {self.mode!r}")
        if self.settle_hours < 0:
            raise ValueError(f"settle_hours must not be negative, got {self.settle_hours}")

    @property
    def settles(self) -> bool:
        return self.mode == SETTLED

    @property
    def needs_approval(self) -> bool:
        return self.mode == APPROVED

    def describe(self) -> str:
        if self.settles:
            closed = f" after {self.closed_field}" if self.closed_field else ""
            return f"settled ({self.settle_hours} h{closed})"
        return self.mode


def published_asset_key(mart: str) -> dg.AssetKey:
    """The asset of the public dataset the mart `mart` is published as."""
    return dg.AssetKey(["socrata", mart])


@dataclass(frozen=True)
class PublishedDataset:
    """A public mart and the dataset it is published as."""

    name: str  # the mart's dbt model name and asset key
    title: str
    description: str
    attribution: str
    category: str
    public_dataset_id: str
    row_identifier: str
    day_field: str  # mart column (timestamp or date) that assigns a row to a local day
    public_columns: tuple[PublicColumn, ...]
    # Two public columns the day's rows are counted by, for the table the UI shows per run.
    summary_dimensions: tuple[str, str] | None = None
    # The published datasets a derived dataset is computed from: it is published only after
    # they were, in the same run, so it never shows figures of rows that were withheld.
    derived_from: tuple[str, ...] = ()
    # When the day's rows may be released: automatic, settled or approved (ReleasePolicy).
    release: ReleasePolicy = ReleasePolicy()

    @property
    def mart_asset_key(self) -> dg.AssetKey:
        return dg.AssetKey(self.name)

    @property
    def mart_table(self) -> str:
        return f"marts.{self.name}"

    @property
    def published_asset_key(self) -> dg.AssetKey:
        return published_asset_key(self.name)

    @property
    def derived_from_keys(self) -> tuple[dg.AssetKey, ...]:
        """The published assets this dataset's publish waits for (`derived_from`)."""
        return tuple(published_asset_key(name) for name in self.derived_from)

    @property
    def public_field_names(self) -> tuple[str, ...]:
        return tuple(column.field_name for column in self.public_columns)


@dataclass(frozen=True)
class Source:
    """An internal dataset the platform ingests, and the public dataset it feeds."""

    name: str
    title: str
    internal_dataset_id: str
    internal_dataset_name: str
    day_field: str  # source field (floating timestamp) that assigns a row to a local day
    published: PublishedDataset
    privacy: Mapping[str, object] = field(default_factory=lambda: MappingProxyType({}))

    @property
    def internal_asset_key(self) -> dg.AssetKey:
        return dg.AssetKey(["internal", self.name])

    @property
    def raw_asset_key(self) -> dg.AssetKey:
        return dg.AssetKey(f"raw_{self.name}")

    @property
    def raw_table(self) -> str:
        return f"raw.{self.name}"

    @property
    def row_fates_table(self) -> str:
        return f"audit.audit_{self.name}_row_fates"

    @property
    def row_fates_asset_key(self) -> dg.AssetKey:
        """The row-fates audit model's asset (dbt models are keyed by name)."""
        return dg.AssetKey(self.row_fates_table.split(".")[1])


def text(field_name: str, display_name: str, description: str) -> PublicColumn:
    return PublicColumn(field_name, display_name, "text", description)


def number(field_name: str, display_name: str, description: str) -> PublicColumn:
    return PublicColumn(field_name, display_name, "number", description)


def moment(field_name: str, display_name: str, description: str) -> PublicColumn:
    return PublicColumn(field_name, display_name, "calendar_date", description)


PUBLIC_SAFETY = "Public Safety and Preparedness"

CALLS_FOR_SERVICE = Source(
    name="calls_for_service",
    title="Calls for Service",
    internal_dataset_id="opcd-cfs1",
    internal_dataset_name="OPCD CAD calls for service (internal export)",
    day_field="timecreate",
    privacy=MappingProxyType({"block_grid_feet": 300}),
    published=PublishedDataset(
        name="calls_for_service",
        title="Calls for Service",
        description=(
            "Calls for service to the New Orleans Police Department, from the Orleans Parish "
            "Communication District (OPCD), the 9-1-1 administration office. One row per closed "
            "call. Addresses are shown at the block level and coordinates are generalized to "
            "the block; caller details are never published; call types naming juveniles are "
            "removed in accordance with the Louisiana Public Records Act, L.R.S. 44:1. NOPD may "
            "reclassify a call for up to 36 hours after it is closed, and published rows follow "
            "those changes."
        ),
        attribution="Orleans Parish Communication District (OPCD)",
        category=PUBLIC_SAFETY,
        public_dataset_id="nopd-cfs1",
        row_identifier="nopd_item",
        summary_dimensions=("policedistrict", "priority"),
        day_field="timecreate",
        # Settled: NOPD reclassifies a call for up to 36 hours after closing it, and a call
        # published inside that window would show a type the police have since changed (or a
        # juvenile case until its withdrawal). Waiting costs the public a day and a half.
        release=ReleasePolicy(SETTLED, DEFAULT_SETTLE_HOURS, closed_field="timeclosed"),
        public_columns=(
            text("nopd_item", "NOPD_Item", "Item number of the call."),
            text("type_", "Type_", "Final signal type code."),
            text("typetext", "TypeText", "Text of the final signal type."),
            text("priority", "Priority", "Final priority."),
            text("initialtype", "InitialType", "Signal type at creation."),
            text("initialtypetext", "InitialTypeText", "Text of the initial type."),
            text("initialpriority", "InitialPriority", "Priority at creation."),
            number("mapx", "MapX", "State plane easting (US feet), block-level."),
            number("mapy", "MapY", "State plane northing (US feet), block-level."),
            moment("timecreate", "TimeCreate", "Created in CAD."),
            moment("timedispatch", "TimeDispatch", "Unit dispatched."),
            moment("timearrive", "TimeArrive", "Unit arrived."),
            moment("timeclosed", "TimeClosed", "Closed in CAD."),
            text("disposition", "Disposition", "Disposition code."),
            text("dispositiontext", "DispositionText", "Disposition text."),
            text("selfinitiated", "SelfInitiated", "Y if officer-initiated."),
            text("beat", "Beat", "District, zone and subzone."),
            text("block_address", "BLOCK_ADDRESS", "Hundred-block or intersection."),
            text("zip", "Zip", "ZIP code."),
            text("policedistrict", "PoliceDistrict", "NOPD district."),
            PublicColumn("location", "Location", "point", "Block-level point (WKT)."),
        ),
    ),
)


USE_OF_FORCE_LIST_NOTE = "One value per officer, force type or subject, joined with ' | '."


def use_of_force_text(field_name: str, display_name: str) -> PublicColumn:
    return text(field_name, display_name, f"{display_name}. {USE_OF_FORCE_LIST_NOTE}")


USE_OF_FORCE = Source(
    name="use_of_force",
    title="Use of Force",
    internal_dataset_id="nopd-uof1",
    internal_dataset_name="NOPD use-of-force reports (internal export)",
    day_field="date_occurred",
    privacy=MappingProxyType({"juvenile_age_below": 18}),
    published=PublishedDataset(
        name="use_of_force",
        title="NOPD Use of Force Incidents",
        description=(
            "Use-of-force incidents reported by the New Orleans Police Department, many from "
            "traffic and pedestrian stops: one row per incident (PIB file number), with the "
            "officers', force types' and subjects' values joined with ' | '. Officer and "
            "subject names, badge numbers, dates of birth, exact addresses and narratives are "
            "never published; a juvenile subject's age is published as 'Juvenile'. Includes "
            "initial reviews, subject to change."
        ),
        attribution="New Orleans Police Department (NOPD)",
        category=PUBLIC_SAFETY,
        public_dataset_id="nopd-uofp",
        row_identifier="pib_file_number",
        summary_dimensions=("division_level", "use_of_force_level"),
        day_field="date_occurred",
        public_columns=(
            text("pib_file_number", "PIB File Number", "Force tracking number (FTN)."),
            moment("date_occurred", "Date Occurred", "Day the incident occurred."),
            *(
                use_of_force_text(field_name, display_name)
                for field_name, display_name in (
                    ("originating_bureau", "Originating Bureau"),
                    ("division_level", "Division level"),
                    ("division", "Division"),
                    ("unit", "Unit"),
                    ("working_status", "Working Status"),
                    ("shift", "Shift"),
                    ("investigation_status", "Investigation status"),
                    ("disposition", "Disposition"),
                    ("service_type", "Service Type"),
                    ("light_condition", "Light Condition"),
                    ("weather_condition", "Weather Condition"),
                    ("use_of_force_type", "Use of Force Type"),
                    ("use_of_force_level", "Use of Force Level"),
                    ("subject_influencing_factors", "Subject Influencing Factors"),
                    ("use_of_force_effective", "Use of Force Effective"),
                    ("officer_race_ethnicity", "Officer Race/Ethnicity"),
                    ("officer_gender", "Officer Gender"),
                    ("officer_age", "Officer Age"),
                    ("officer_years_of_service", "Officer Years of Service"),
                    ("distance_between", "Distance Between"),
                    ("subject_gender", "Subject Gender"),
                    ("subject_ethnicity", "Subject Ethnicity"),
                    ("subject_age", "Subject Age"),
                    ("subject_build", "Subject Build"),
                    ("subject_height", "Subject Height"),
                    ("subject_injured", "Subject Injured"),
                    ("subject_hospitalized", "Subject Hospitalized"),
                    ("subject_arrested", "Subject Arrested"),
                    ("subject_arrest_charges", "Subject Arrest Charges"),
                    ("use_of_force_reason", "Use of Force Reason"),
                    ("officer_injured", "Officer Injured"),
                )
            ),
        ),
    ),
)


SERVICE_REQUESTS_311 = Source(
    name="service_requests_311",
    title="311 Service Requests",
    internal_dataset_id="opcd-311i",
    internal_dataset_name="OPCD 311 service requests (internal export)",
    day_field="date_created",
    privacy=MappingProxyType(
        {"address_precision": "full", "block_grid_feet": 300, "repeat_window_days": 7}
    ),
    published=PublishedDataset(
        name="service_requests_311",
        title="311 OPCD Calls (2012-Present)",
        description=(
            "Requests for city services made through 311 (broken street lights, potholes, "
            "fallen trees, illegal dumping): one row per request, updated as it moves through "
            "its statuses. Requesters' names, phones and emails are never published. A repeat "
            "report of the same problem at the same place within a week is kept and names the "
            "request it repeats in duplicate_of."
        ),
        attribution="Orleans Parish Communication District (OPCD)",
        category="City Administration",
        public_dataset_id="opcd-311p",
        row_identifier="service_request",
        summary_dimensions=("address_councildis", "request_status"),
        day_field="date_created",
        public_columns=(
            text("service_request", "Service Request", "Request number (year-sequence)."),
            text("request_type", "Request Type", "Kind of request."),
            text("request_reason", "Request Reason", "Reason within the kind."),
            moment("date_created", "Date Created", "When the request was made."),
            moment("date_modified", "Date Modified", "When the request last changed."),
            moment("case_close_date", "Case Close Date", "When the request was closed."),
            text("request_status", "Request Status", "Pending or Closed."),
            text("responsible_agency", "Responsible Agency", "Department handling it."),
            text("final_address", "Final Address", "Address, at the catalog's precision."),
            text("address_councildis", "Council District", "City council district (A-E)."),
            number("final_x", "Final X", "State plane easting (US feet)."),
            number("final_y", "Final Y", "State plane northing (US feet)."),
            number("latitude", "Latitude", "Latitude (WGS84)."),
            number("longitude", "Longitude", "Longitude (WGS84)."),
            text("status", "Status", "Workflow state."),
            text("contractor", "Contractor", "Contractor assigned, if any."),
            text("contractor_action", "Contractor Action", "What the contractor did."),
            text("rowid", "Row ID", "Sequence part of the request number."),
            text("duplicate_of", "Duplicate Of", "The earlier request this one repeats."),
        ),
    ),
)


def interval_columns(name: str, label: str, start: str, end: str) -> tuple[PublicColumn, ...]:
    """The five published figures of one interval (see the dbt macro interval_summary)."""
    span = f"{label} ({start} to {end})"
    return (
        number(f"{name}_calls", f"{label} calls", f"Calls with both times, in order: {span}."),
        number(f"{name}_median_s", f"{label} median (s)", f"Median {span}, in seconds."),
        number(f"{name}_p90_s", f"{label} 90th percentile (s)", f"90th percentile {span}, s."),
        number(f"{name}_missing", f"{label} missing", f"Calls without one of the times: {span}."),
        number(
            f"{name}_out_of_order", f"{label} out of order", f"Calls whose {end} precedes {start}."
        ),
    )


POLICE_RESPONSE_TIMES = PublishedDataset(
    name="police_response_times",
    title="Police Response Times",
    description=(
        "How fast the New Orleans Police Department responds to calls for service, per day, "
        "police district and priority, with officer-initiated calls reported apart: dispatch "
        "delay (call created to unit dispatched), travel time (dispatched to arrived) and time "
        "on scene (arrived to closed), as median and 90th percentile in seconds. Only calls "
        "whose two times exist and are in order count; the others are counted by reason. "
        "Void, duplicate and test calls (dispositions VOI and DUP, test call types) are left "
        "out: nobody responded to them. Officer-initiated calls (SelfInitiated Y: the officer "
        "generated the item in the field, so there is no dispatch to wait for) are never "
        "mixed into the figures of calls from the public. Times are local (America/Chicago); "
        "each interval is the time that passed, across a daylight-saving change too: in the "
        "hour repeated when clocks fall back, a time that reads earlier than the call's "
        "previous one is its second occurrence. Computed from the published Calls for Service "
        "of the same run, so anyone can recompute it, and published only when that day's "
        "calls were."
    ),
    attribution="New Orleans Police Department; Orleans Parish Communication District (OPCD)",
    category=PUBLIC_SAFETY,
    public_dataset_id="nopd-rspt",
    row_identifier="response_time_id",
    day_field="call_date",
    public_columns=(
        text("response_time_id", "Response time id", "call_date|district|priority|selfinitiated."),
        moment("call_date", "Call date", "Local day the calls were created."),
        text("policedistrict", "PoliceDistrict", "NOPD district (0: not geocoded)."),
        text("priority", "Priority", "Final priority of the calls."),
        text("selfinitiated", "SelfInitiated", "Y for officer-initiated calls."),
        number("calls", "Calls", "Published calls in the group."),
        *interval_columns("dispatch_delay", "Dispatch delay", "timecreate", "timedispatch"),
        *interval_columns("travel_time", "Travel time", "timedispatch", "timearrive"),
        *interval_columns("time_on_scene", "Time on scene", "timearrive", "timeclosed"),
    ),
    derived_from=("calls_for_service",),
    # Its figures are computed from the calls' mart: a day's figures wait until every call of
    # the day has settled, so they never count a call the calls dataset still holds back.
    release=ReleasePolicy(SETTLED, DEFAULT_SETTLE_HOURS),
)

SOURCES: tuple[Source, ...] = (CALLS_FOR_SERVICE, USE_OF_FORCE, SERVICE_REQUESTS_311)
DERIVED_DATASETS: tuple[PublishedDataset, ...] = (POLICE_RESPONSE_TIMES,)
PUBLISHED_DATASETS: tuple[PublishedDataset, ...] = (
    *(source.published for source in SOURCES),
    *DERIVED_DATASETS,
)


def source_of(mart: str, sources: tuple[Source, ...] = SOURCES) -> Source | None:
    """The source that feeds the published dataset whose mart is named `mart`, if it has one
    of its own: a derived dataset (police response times) has none.

    A mart's name is its asset key, so no two datasets of one set of definitions share it.
    """
    return next((source for source in sources if source.published.name == mart), None)


def privacy_vars(sources: tuple[Source, ...] = SOURCES) -> dict[str, object]:
    """Each source's privacy parameters as dbt vars: what shapes the models' SQL, day to day."""
    return {source.name: dict(source.privacy) for source in sources}
