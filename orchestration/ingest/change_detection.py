"""Which local days of a source changed since the last look, read from the source portal.

Two questions to the portal find every kind of change without re-reading history:

- rows whose `:updated_at` is after the watermark less an overlap (a row written in the
  same instant as the watermark's can become visible later), ordered by `:updated_at, :id`:
  new rows, reclassified calls, late closures, re-sent duplicates. Rows of the overlap are
  seen twice; the sensor skips days already loaded after their change;
- the row count of every local day (`date_trunc_ymd` grouped), against the counts seen last
  time: a row deleted at the source leaves no `:updated_at` behind, only a smaller count.

The cursor (watermark and per-day counts) is small enough to live in a Dagster sensor's
cursor: about 20 bytes a day, 75 KB for ten years.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from orchestration.catalog import Source
from orchestration.socrata.client import MAX_PAGE_SIZE, SocrataClient

DEFAULT_OVERLAP = timedelta(minutes=10)
UPDATED_AT_FORMAT = "%Y-%m-%dT%H:%M:%S.%f"  # Socrata renders :updated_at with milliseconds


@dataclass(frozen=True)
class SourceCursor:
    """What the last look saw: the newest `:updated_at` and each day's row count."""

    watermark: str | None = None
    day_counts: dict[str, int] = field(default_factory=dict)

    def to_json(self) -> str:
        return json.dumps({"watermark": self.watermark, "day_counts": self.day_counts})

    @classmethod
    def from_json(cls, text: str | None) -> SourceCursor:
        if not text:
            return cls()
        data = json.loads(text)
        return cls(data.get("watermark"), {k: int(v) for k, v in data["day_counts"].items()})


@dataclass(frozen=True)
class SourceChanges:
    """The days that changed, and the cursor to keep for next time."""

    updated_days: dict[date, str]  # day -> newest `:updated_at` among its changed rows
    recounted_days: dict[date, int]  # day -> its row count now, where the count changed
    cursor: SourceCursor
    rows_scanned: int = 0
    undated_rows: int = 0
    requests: int = 0

    @property
    def days(self) -> list[date]:
        return sorted(set(self.updated_days) | set(self.recounted_days))


def _parse_updated_at(text: str) -> datetime:
    return datetime.strptime(text.rstrip("Z")[:23].ljust(23, "0"), UPDATED_AT_FORMAT)


def _format_updated_at(moment: datetime) -> str:
    return moment.strftime(UPDATED_AT_FORMAT)[:23] + "Z"


def _day_of(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value[:10]) if value else None
    except ValueError:
        return None


def day_counts(client: SocrataClient, source: Source, dataset_id: str) -> dict[str, int]:
    """Rows per local day of the source, in one grouped query."""
    rows = client.get(
        dataset_id,
        select=f"date_trunc_ymd({source.day_field}) as day, count(*) as row_count",
        group="day",
        order="day",
        limit=MAX_PAGE_SIZE,
    )
    return {row["day"][:10]: int(row["row_count"]) for row in rows if row.get("day")}


def newest_updated_at(client: SocrataClient, dataset_id: str) -> str | None:
    rows = client.get(dataset_id, select="max(:updated_at) as newest")
    return rows[0].get("newest") if rows else None


def scan_source_changes(
    client: SocrataClient,
    source: Source,
    dataset_id: str,
    cursor: SourceCursor,
    *,
    overlap: timedelta = DEFAULT_OVERLAP,
    page_size: int = MAX_PAGE_SIZE,
) -> SourceChanges:
    """The days changed since `cursor`; a first look only sets the cursor."""
    counts = day_counts(client, source, dataset_id)
    if cursor.watermark is None:
        start = SourceCursor(newest_updated_at(client, dataset_id), counts)
        return SourceChanges({}, {}, start, requests=2)

    since = _format_updated_at(_parse_updated_at(cursor.watermark) - overlap)
    updated: dict[date, str] = {}
    watermark = cursor.watermark
    scanned = undated = 0
    requests = 1
    last: tuple[str, str] | None = None
    while True:
        where = f":updated_at > '{since}'"
        if last is not None:
            where += (
                f" and (:updated_at > '{last[0]}' or (:updated_at = '{last[0]}' "
                f"and :id > '{last[1]}'))"
            )
        page = client.get(
            dataset_id,
            select=f":id, :updated_at, {source.day_field}",
            where=where,
            order=":updated_at, :id",
            limit=page_size,
        )
        requests += 1
        for row in page:
            stamp = row[":updated_at"]
            watermark = max(watermark, stamp)
            day = _day_of(row.get(source.day_field))
            if day is None:
                undated += 1
            elif stamp > updated.get(day, ""):
                updated[day] = stamp
        scanned += len(page)
        if len(page) < page_size:
            break
        last = (page[-1][":updated_at"], page[-1][":id"])

    recounted = {
        date.fromisoformat(day): counts.get(day, 0)
        for day in set(counts) | set(cursor.day_counts)
        if counts.get(day, 0) != cursor.day_counts.get(day, 0)
    }
    return SourceChanges(
        updated_days=updated,
        recounted_days=recounted,
        cursor=SourceCursor(watermark, counts),
        rows_scanned=scanned,
        undated_rows=undated,
        requests=requests,
    )
