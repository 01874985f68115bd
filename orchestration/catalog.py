"""The source catalog: one declarative entry per source drives ingest, models and publish.

An entry names the source's dataset on the internal portal, its row identifier, the
timestamp that assigns a row to a local day, and the public dataset it is published as,
with the public columns in the city's published order and Socrata types.
"""

from __future__ import annotations

from dataclasses import dataclass

import dagster as dg


@dataclass(frozen=True)
class PublicColumn:
    field_name: str
    display_name: str
    data_type: str  # Socrata dataTypeName: text, number, calendar_date, point
    description: str


@dataclass(frozen=True)
class Source:
    name: str
    title: str
    description: str
    attribution: str
    internal_dataset_id: str
    internal_dataset_name: str
    public_dataset_id: str
    public_dataset_name: str
    row_identifier: str
    day_field: str
    public_columns: tuple[PublicColumn, ...]

    @property
    def raw_asset_key(self) -> dg.AssetKey:
        return dg.AssetKey(f"raw_{self.name}")

    @property
    def raw_table(self) -> str:
        return f"raw.{self.name}"

    @property
    def internal_asset_key(self) -> dg.AssetKey:
        return dg.AssetKey(["internal", self.name])

    @property
    def mart_asset_key(self) -> dg.AssetKey:
        return dg.AssetKey(self.name)

    @property
    def mart_table(self) -> str:
        return f"marts.{self.name}"

    @property
    def published_asset_key(self) -> dg.AssetKey:
        return dg.AssetKey(["socrata", self.name])

    @property
    def public_field_names(self) -> tuple[str, ...]:
        return tuple(column.field_name for column in self.public_columns)


CALLS_FOR_SERVICE = Source(
    name="calls_for_service",
    title="Calls for Service",
    description=(
        "Calls for service to the New Orleans Police Department, from the Orleans Parish "
        "Communication District (OPCD), the 9-1-1 administration office. One row per closed "
        "call. Addresses are shown at the block level and coordinates are generalized to the "
        "block; caller details are never published; call types naming juveniles are removed "
        "in accordance with the Louisiana Public Records Act, L.R.S. 44:1. NOPD may reclassify "
        "a call for up to 36 hours after it is closed, and published rows follow those changes."
    ),
    attribution="Orleans Parish Communication District (OPCD)",
    internal_dataset_id="opcd-cfs1",
    internal_dataset_name="OPCD CAD calls for service (internal export)",
    public_dataset_id="nopd-cfs1",
    public_dataset_name="Calls for Service",
    row_identifier="nopd_item",
    day_field="timecreate",
    public_columns=(
        PublicColumn("nopd_item", "NOPD_Item", "text", "Item number of the call."),
        PublicColumn("type_", "Type_", "text", "Final signal type code."),
        PublicColumn("typetext", "TypeText", "text", "Text of the final signal type."),
        PublicColumn("priority", "Priority", "text", "Final priority."),
        PublicColumn("initialtype", "InitialType", "text", "Signal type at creation."),
        PublicColumn("initialtypetext", "InitialTypeText", "text", "Text of the initial type."),
        PublicColumn("initialpriority", "InitialPriority", "text", "Priority at creation."),
        PublicColumn("mapx", "MapX", "number", "State plane easting (US feet), block-level."),
        PublicColumn("mapy", "MapY", "number", "State plane northing (US feet), block-level."),
        PublicColumn("timecreate", "TimeCreate", "calendar_date", "Created in CAD."),
        PublicColumn("timedispatch", "TimeDispatch", "calendar_date", "Unit dispatched."),
        PublicColumn("timearrive", "TimeArrive", "calendar_date", "Unit arrived."),
        PublicColumn("timeclosed", "TimeClosed", "calendar_date", "Closed in CAD."),
        PublicColumn("disposition", "Disposition", "text", "Disposition code."),
        PublicColumn("dispositiontext", "DispositionText", "text", "Disposition text."),
        PublicColumn("selfinitiated", "SelfInitiated", "text", "Y if officer-initiated."),
        PublicColumn("beat", "Beat", "text", "District, zone and subzone."),
        PublicColumn("block_address", "BLOCK_ADDRESS", "text", "Hundred-block or intersection."),
        PublicColumn("zip", "Zip", "text", "ZIP code."),
        PublicColumn("policedistrict", "PoliceDistrict", "text", "NOPD district."),
        PublicColumn("location", "Location", "point", "Block-level point (WKT)."),
    ),
)

SOURCES: tuple[Source, ...] = (CALLS_FOR_SERVICE,)
