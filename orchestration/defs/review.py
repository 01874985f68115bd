"""The stewards' review packet per source and day, built before that source's publish.

`review/<source>` reads the mart and the audit models the source's dbt step built, and the
publish ledger, and writes one HTML page per local day beside the warehouse
(`<warehouse folder>/review/<source>/<day>.html`, orchestration/review/). The page holds
source texts as the city's systems sent them: it stays inside, and nothing here or in the
publish sends it anywhere. The publish of the source's dataset depends on this asset, so a
day's packet exists before the day is published (issue 18, item 1); a day whose publish the
mart's blocking checks stop still gets its packet.
"""

from datetime import date
from pathlib import Path

import dagster as dg

from orchestration.catalog import Source
from orchestration.defs.policies import OWNERS
from orchestration.partitions import DayWindow, daily_partitions, window_of
from orchestration.publishing.release_clock import ReleaseClock
from orchestration.publishing.settling import settling_hold
from orchestration.review.packet import DUPLICATE_EVENTS_TABLES, ReviewPacket, build_packet
from orchestration.review.render import html_page, markdown_sections
from orchestration.socrata.resource import SocrataResource
from orchestration.warehouse.resource import WarehouseResource

REVIEW_FOLDER = "review"
# A backfill or a rule change's rebuild runs years as one window: packets are written for its
# last days only, the ones a steward can still act on (a packet per day takes a dozen
# queries, and thousands of pages would help nobody).
PACKET_DAYS = 31


def review_asset_key(name: str) -> dg.AssetKey:
    """The review packet asset of the source `name`."""
    return dg.AssetKey([REVIEW_FOLDER, name])


def packet_path(warehouse_path: str, packet: ReviewPacket) -> Path:
    """Where a packet's page is written: beside the warehouse file, never under a portal."""
    folder = Path(warehouse_path).resolve().parent / REVIEW_FOLDER / packet.dataset
    return folder / f"{packet.day.isoformat()}.html"


def packet_days(window: DayWindow, most: int = PACKET_DAYS) -> list[date]:
    """The days of the window that get a packet: all of a daily run's, a long window's last."""
    return window.days[-most:]


def section_key(title: str) -> str:
    """The metadata key of a section's Markdown table: `Rows by fate` -> `rows_by_fate_table`."""
    return title.lower().replace(" ", "_") + "_table"


def _audit_keys(source: Source) -> list[dg.AssetKey]:
    duplicates = DUPLICATE_EVENTS_TABLES.get(source.name)
    extra = [dg.AssetKey(duplicates.split(".")[1])] if duplicates else []
    return [source.row_fates_asset_key, *extra]


def _metadata(packets: list[ReviewPacket], paths: list[Path]) -> dict[str, object]:
    by_fate: dict[str, int] = {}
    by_reason: dict[str, int] = {}
    for packet in packets:
        for row in packet.fates:
            by_fate[row.fate] = by_fate.get(row.fate, 0) + row.rows
            if row.reason:
                key = f"{row.fate}: {row.reason}"
                by_reason[key] = by_reason.get(key, 0) + row.rows
    metadata: dict[str, object] = {
        "rows_by_fate": dg.MetadataValue.json(by_fate),
        "rows_by_reason": dg.MetadataValue.json(by_reason),
        "new_codes": sum(len(p.new_codes or ()) for p in packets),
        "candidate_misspellings": sum(len(p.misspellings or ()) for p in packets),
        "suspected_duplicate_events": sum(len(p.duplicates or ()) for p in packets),
        "release_fingerprint": packets[-1].changes.fingerprint,
        "release_fingerprints": dg.MetadataValue.json(
            {p.day.isoformat(): p.changes.fingerprint for p in packets}
        ),
        "rows_held": sum(p.changes.plan.held for p in packets),
        "packet_path": dg.MetadataValue.path(str(paths[-1])),
        "packet_url": dg.MetadataValue.url(paths[-1].as_uri()),
    }
    if len(packets) == 1:
        for title, body in markdown_sections(packets[0]).items():
            metadata[section_key(title)] = dg.MetadataValue.md(body)
    else:
        lines = ["| day | packet |", "|---|---|"]
        lines += [f"| {p.day} | {path} |" for p, path in zip(packets, paths, strict=True)]
        metadata["packets"] = dg.MetadataValue.md("\n".join(lines))
    return metadata


def build_review_asset(source: Source) -> dg.AssetsDefinition:
    dataset = source.published

    @dg.asset(
        key=review_asset_key(source.name),
        # The audit models, not the mart: they are built in the same dbt step as the mart, and
        # a day the mart's blocking checks withhold is the day a steward most needs its packet.
        deps=_audit_keys(source),
        partitions_def=daily_partitions,
        backfill_policy=dg.BackfillPolicy.single_run(),
        group_name=REVIEW_FOLDER,
        kinds={"duckdb", "html"},
        owners=OWNERS,
        code_version="1",
        pool="warehouse",
        description=(
            f"The stewards' review packet of {source.title} per day, before its publish: rows "
            "published, withheld and quarantined by reason, new codes, candidate "
            "misspellings, suspected duplicates, volume against the same weekday, and what "
            "the publish would send. An internal HTML page beside the warehouse; never "
            "published."
        ),
    )
    def review_packet(
        context: dg.AssetExecutionContext,
        warehouse: WarehouseResource,
        public_portal: SocrataResource,
        release_clock: ReleaseClock,
    ) -> dg.MaterializeResult:
        window = window_of(context)
        dataset_id = public_portal.dataset_id(dataset.name, dataset.public_dataset_id)
        # The packet shows what the publish would send now: rows still settling held apart.
        hold = settling_hold(dataset, (), release_clock.now())
        with warehouse.connect() as connection:
            days = packet_days(window)
            packets = [build_packet(connection, source, day, dataset_id, hold) for day in days]
        if len(days) < len(window.days):
            context.log.info(
                f"{source.name}: review packets for the last {len(days)} of the window's "
                f"{len(window.days):,} days only"
            )
        paths = []
        for packet in packets:
            path = packet_path(warehouse.path, packet)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(html_page(packet), encoding="utf-8")
            paths.append(path)
            context.log.info(
                f"{source.name} review packet of {packet.day}: {packet.volume.describe()}; "
                f"written to {path}"
            )
        metadata = _metadata(packets, paths)
        metadata["days_without_packet"] = len(window.days) - len(days)
        metadata["release_policy"] = dataset.release.describe()
        return dg.MaterializeResult(metadata=metadata)

    return review_packet
