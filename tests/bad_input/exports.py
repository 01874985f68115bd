"""Internal exports built from the fixtures, and a platform that serves and runs them.

Why a module: the row-level and the layout tests build their internal portals the same
way (the fixture CSVs, written as bytes so a case can hold any byte) and run the same real
daily job over them (portal -> raw -> dbt -> contracts -> publish).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from orchestration.catalog import SOURCES, Source
from tests.bad_input.fixtures import FIXTURES
from tests.bad_input.fixtures.rows import RowCase
from tests.pipeline.conftest import Platform, running_platform
from tests.warehouse_builder import query

DAY = date(2026, 2, 28)  # a month's last day: "February 30" still sorts into its window
SOURCES_BY_NAME: dict[str, Source] = {source.name: source for source in SOURCES}
# Per source: the good fixture row each case starts from, and the private field that names
# the case (never published, so it can mark a row from raw to the audit).
TEMPLATE_ID = {
    "calls_for_service": "B0161326",
    "service_requests_311": "2026-252810",
    "use_of_force": "FTN2026-0310",
}
MARKER = {
    "calls_for_service": "caller_name",
    "service_requests_311": "requester_name",
    "use_of_force": "officer_name",
}
# Ordinary calls of the day beside the cases, so the contract's tolerance of a few
# out-of-order calls (2 % of a day) applies to a day of realistic size, not to a dozen rows.
BACKGROUND_CALLS = 60


# Socrata types of the fields the internal datasets declare in their views (the rest: text).
FIELD_TYPES = {
    **dict.fromkeys(
        ("timecreate", "timedispatch", "timearrive", "timearrival", "timeclosed",
         "date_occurred", "date_created", "date_modified", "case_close_date"),
        "calendar_date",
    ),
    **dict.fromkeys(("latitude", "longitude", "final_x", "final_y"), "number"),
}  # fmt: skip


@dataclass(frozen=True)
class Export:
    """One internal dataset's CSV: a header and rows of text, in the fixture's shape."""

    header: tuple[str, ...]
    rows: tuple[dict[str, str | None], ...]

    def to_bytes(self) -> bytes:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(self.header)
        writer.writerows([row.get(column) or "" for column in self.header] for row in self.rows)
        return buffer.getvalue().encode("utf-8")

    def view(self) -> bytes:
        """The dataset's view sidecar: its columns, as the export's header names them."""
        columns = [
            {"fieldName": name, "name": name, "dataTypeName": FIELD_TYPES.get(name, "text")}
            for name in self.header
            if not name.startswith(":")
        ]
        return json.dumps({"name": "internal export", "columns": columns}).encode()


def fixture_export(source_name: str) -> Export:
    with (FIXTURES / f"{source_name}.csv").open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        return Export(tuple(reader.fieldnames or ()), tuple(reader))


def row_id_field(source_name: str) -> str:
    return SOURCES_BY_NAME[source_name].published.row_identifier


def case_rows(case: RowCase, template: Mapping[str, str | None]) -> list[dict[str, str | None]]:
    return [{**template, MARKER[case.source]: case.name, **changes} for changes in case.rows]


def background_calls(template: Mapping[str, str | None]) -> list[dict[str, str | None]]:
    return [
        {**template, "nopd_item": f"B{19000 + index:05d}26", "caller_name": "background"}
        for index in range(BACKGROUND_CALLS)
    ]


def exports_with_cases(cases: Iterable[RowCase]) -> dict[str, Export]:
    """Each source's fixture export, with every case's rows appended."""
    exports = {}
    for name in SOURCES_BY_NAME:
        base = fixture_export(name)
        template = next(r for r in base.rows if r[row_id_field(name)] == TEMPLATE_ID[name])
        rows = list(base.rows)
        if name == "calls_for_service":
            rows += background_calls(template)
        for case in cases:
            if case.source == name:
                rows += case_rows(case, template)
        exports[name] = Export(base.header, tuple(rows))
    return exports


def write_internal_portal(folder: Path, files: Mapping[str, Export | bytes | None]) -> None:
    """`<dataset id>.csv` (and its view) per source name; None leaves the dataset out.

    Bytes are a whole CSV file that may not even decode; it gets no view.
    """
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        dataset_id = SOURCES_BY_NAME[name].internal_dataset_id
        if isinstance(content, Export):
            (folder / f"{dataset_id}.meta.json").write_bytes(content.view())
            content = content.to_bytes()
        if content is not None:
            (folder / f"{dataset_id}.csv").write_bytes(content)


@contextmanager
def platform_serving(root: Path, files: Mapping[str, Export | bytes | None]) -> Iterator[Platform]:
    write_internal_portal(root / "portal" / "internal", files)
    with running_platform(root, {}) as platform:
        yield platform


def published_dataset_ids(platform: Platform) -> list[str]:
    """Every public dataset holding a row: none until something is published (the datasets
    themselves are provisioned, empty, before the first run, as on a real domain)."""
    return [
        dataset.id
        for dataset in platform.public.store.datasets()
        if platform.published_rows(dataset.id)
    ]


def raw_count(platform: Platform, source_name: str) -> int:
    table = SOURCES_BY_NAME[source_name].raw_table
    return query(
        platform.warehouse, f"select count(*) from {table} where _partition_date = ?", [DAY]
    )[0][0]


def fate_counts(platform: Platform, source_name: str) -> dict[str, int]:
    table = SOURCES_BY_NAME[source_name].row_fates_table
    return dict(
        query(
            platform.warehouse,
            f"select fate, count(*) from {table} where partition_date = ? group by fate",
            [DAY],
        )
    )
