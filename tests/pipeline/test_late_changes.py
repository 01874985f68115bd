"""Late changes at the source reach the portal, and only they are sent.

Three simulated days. Day 1 publishes. On day 2 the source changes a published call's type,
reclassifies one into a juvenile type, closes a call that was open on day 1, re-sends a
duplicate of a call and deletes a row; the daily job publishes day 2 and the change sensor
requests day 1 again. On day 3 only day 3's rows arrive. Then day 1 is published once more.
"""

from __future__ import annotations

import csv
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

import dagster as dg
import duckdb
import pytest
import requests

from orchestration.catalog import CALLS_FOR_SERVICE, SOURCES
from orchestration.publishing.rendering import rendered_columns
from tests.pipeline.conftest import Platform, running_platform, write_sample_exports

pytestmark = pytest.mark.integration  # builds warehouses with dbt: not in make test-fast

DAY_1 = date(2026, 11, 2)
DAY_2 = DAY_1 + timedelta(days=1)
DAY_3 = DAY_1 + timedelta(days=2)
CFS = CALLS_FOR_SERVICE
CFS_PUBLIC = CFS.published.public_dataset_id
CHANGE_STAMP_FORMAT = "%Y-%m-%dT%H:%M:%S.000Z"


class SourceState:
    """The internal exports as the source holds them on a given day, written for the portal."""

    def __init__(self, generated: Path, internal: Path) -> None:
        self.internal = internal
        self.rows: dict[str, list[dict[str, str]]] = {}
        self.fields: dict[str, list[str]] = {}
        internal.mkdir(parents=True, exist_ok=True)
        for source in SOURCES:
            shutil.copy(generated / f"{source.internal_dataset_id}.meta.json", internal)
            with open(generated / f"{source.internal_dataset_id}.csv", newline="") as handle:
                reader = csv.DictReader(handle)
                self.fields[source.name] = list(reader.fieldnames or [])
                self.rows[source.name] = list(reader)
        self.generated = self.rows
        self.rows = {source.name: [] for source in SOURCES}
        self.through: date | None = None

    def arrive_through(self, last: date) -> None:
        """Generated rows of the days up to `last` arrive; rows already there keep changes."""
        for source in SOURCES:
            for row in self.generated[source.name]:
                day = _day(row.get(source.day_field))
                if day is None:  # an unreadable date arrives with the first day
                    arrives = self.through is None
                else:
                    arrives = day <= last and (self.through is None or day > self.through)
                if arrives:
                    self.rows[source.name].append(row)
        self.through = last

    def write(self, portal_url: str | None = None) -> None:
        for source in SOURCES:
            path = self.internal / f"{source.internal_dataset_id}.csv"
            with open(path, "w", newline="") as handle:
                writer = csv.DictWriter(handle, self.fields[source.name])
                writer.writeheader()
                writer.writerows(self.rows[source.name])
        if portal_url:
            requests.post(f"{portal_url}/_portal/reload", timeout=60).raise_for_status()


def _day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value[:10]) if value else None
    except ValueError:
        return None


@dataclass
class Scenario:
    platform: Platform
    changed: str = ""
    type_donor: str = ""
    juvenile: str = ""
    closed: str = ""
    deleted: str = ""
    duplicated: str = ""
    day_1_portal: dict[str, dict[str, str]] = field(default_factory=dict)
    day_2_writes: list[dict] = field(default_factory=list)
    day_2_requests: list[dg.RunRequest] = field(default_factory=list)
    day_2_runs_ok: list[bool] = field(default_factory=list)
    day_3_writes: list[dict] = field(default_factory=list)
    day_3_requests: list[dg.RunRequest] = field(default_factory=list)
    republish_writes: list[dict] = field(default_factory=list)
    cursors: dict[str, str | None] = field(default_factory=dict)


def cfs_portal_rows(platform: Platform) -> dict[str, dict[str, str]]:
    """The public calls for service by item, without the portal's system fields."""
    return {
        row["nopd_item"]: {name: value for name, value in row.items() if not name.startswith(":")}
        for row in platform.published_rows(CFS_PUBLIC)
    }


def writes(platform: Platform) -> list[dict]:
    entries = requests.get(f"{platform.public.url}/_portal/requests", timeout=5).json()
    return [e for e in entries if e["method"] in ("POST", "PUT") and e["path"].startswith("/res")]


def forget_requests(platform: Platform) -> None:
    requests.delete(f"{platform.public.url}/_portal/requests", timeout=5).raise_for_status()


def evaluate_sensors(platform: Platform, scenario: Scenario) -> list[dg.RunRequest]:
    """One tick of every change sensor, as the daemon would run it, cursors kept."""
    definitions = platform.definitions()
    run_requests: list[dg.RunRequest] = []
    for sensor in definitions.sensors:
        if not sensor.name.endswith("_source_changes"):
            continue
        context = dg.build_sensor_context(
            instance=dg.DagsterInstance.get(),
            cursor=scenario.cursors.get(sensor.name),
            definitions=definitions,
            resources=platform.resources(),
        )
        result = sensor(context)
        scenario.cursors[sensor.name] = result.cursor
        run_requests.extend(result.run_requests or [])
    return run_requests


def execute(platform: Platform, run_request: dg.RunRequest) -> dg.ExecuteInProcessResult:
    job = platform.definitions().resolve_job_def("daily_publish")
    return job.execute_in_process(
        partition_key=run_request.partition_key,
        asset_selection=list(run_request.asset_selection or []),
        instance=dg.DagsterInstance.get(),
        tags=run_request.tags,
        raise_on_error=False,
    )


def pick(rows: list[dict[str, str]], published: dict, exclude: set[str]) -> dict[str, str]:
    """A day-1 call that is on the portal and appears once in the export."""
    counts: dict[str, int] = {}
    for row in rows:
        counts[row["nopd_item"]] = counts.get(row["nopd_item"], 0) + 1
    for row in rows:
        item = row["nopd_item"]
        if item in published and counts[item] == 1 and item not in exclude:
            return row
    raise AssertionError("no published day-1 call left to change")


def change_day_2(state: SourceState, scenario: Scenario, stamp: str) -> None:
    """Day 2 at the source: day 2's own calls, and five kinds of late change to day 1."""
    state.arrive_through(DAY_2)
    rows = state.rows[CFS.name]
    day_1 = [row for row in rows if _day(row["timecreate"]) == DAY_1]
    published = scenario.day_1_portal
    used: set[str] = set()

    changed = pick(day_1, published, used)
    donor = next(
        row
        for row in day_1
        if row["nopd_item"] in published
        and published[row["nopd_item"]].get("type_") != published[changed["nopd_item"]].get("type_")
    )
    changed.update(type=donor["type"], typetext=donor["typetext"], **{":updated_at": stamp})
    scenario.changed, scenario.type_donor = changed["nopd_item"], donor["nopd_item"]
    used.add(scenario.changed)

    juvenile = pick(day_1, published, used)
    juvenile.update(type="21J", typetext="MISSING JUVENILE", **{":updated_at": stamp})
    scenario.juvenile = juvenile["nopd_item"]
    used.add(scenario.juvenile)

    deleted = pick(day_1, published, used)
    rows.remove(deleted)
    scenario.deleted = deleted["nopd_item"]
    used.add(scenario.deleted)

    duplicated = pick(day_1, published, used)
    rows.append({**duplicated, ":updated_at": stamp})
    scenario.duplicated = duplicated["nopd_item"]

    open_call = next(
        row
        for row in day_1
        if not row["timeclosed"]
        and row["nopd_item"]
        and row["nopd_item"] not in published
        and not row["type"].endswith("J")
        and sum(r["nopd_item"] == row["nopd_item"] for r in rows) == 1
    )
    closed_at = datetime.fromisoformat(open_call["timecreate"]) + timedelta(hours=3)
    open_call.update(
        timeclosed=closed_at.strftime("%Y-%m-%dT%H:%M:%S.000"),
        disposition="RTF",
        dispositiontext="REPORT TO FOLLOW",
        **{":updated_at": stamp},
    )
    scenario.closed = open_call["nopd_item"]


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scenario]:
    root = tmp_path_factory.mktemp("late_changes")
    exports = write_sample_exports(root / "generated", DAY_1, DAY_3)
    state = SourceState(root / "generated", root / "portal" / "internal")
    state.arrive_through(DAY_1)
    state.write()
    with running_platform(root, exports) as platform:
        scenario = Scenario(platform)
        # Day 1: the schedule publishes day 1; the sensors take their first look.
        assert platform.run_daily_job(DAY_1).success
        assert evaluate_sensors(platform, scenario) == []
        scenario.day_1_portal = cfs_portal_rows(platform)

        # Day 2: late changes to day 1 and day 2's calls; the schedule, then the sensors.
        newest = max(row[":updated_at"] for row in state.rows[CFS.name])
        stamp = (datetime.fromisoformat(newest.rstrip("Z")) + timedelta(hours=1)).strftime(
            CHANGE_STAMP_FORMAT
        )
        change_day_2(state, scenario, stamp)
        state.write(platform.source.url)
        forget_requests(platform)
        assert platform.run_daily_job(DAY_2).success
        scenario.day_2_requests = evaluate_sensors(platform, scenario)
        scenario.day_2_runs_ok = [execute(platform, r).success for r in scenario.day_2_requests]
        scenario.day_2_writes = writes(platform)

        # Day 3: only day 3's rows arrive.
        state.arrive_through(DAY_3)
        state.write(platform.source.url)
        forget_requests(platform)
        assert platform.run_daily_job(DAY_3).success
        scenario.day_3_requests = evaluate_sensors(platform, scenario)
        scenario.day_3_writes = writes(platform)

        # Day 1 once more, nothing having changed since the sensor's run.
        forget_requests(platform)
        assert platform.run_daily_job(DAY_1).success
        scenario.republish_writes = writes(platform)
        yield scenario


def mart_rows(platform: Platform) -> dict[str, dict[str, str]]:
    """The calls-for-service mart, rendered as the portal shows it (null fields left out)."""
    dataset = CFS.published
    with duckdb.connect(str(platform.warehouse), read_only=True) as connection:
        cursor = connection.execute(
            f"select {', '.join(rendered_columns(dataset))} from {dataset.mart_table}"
        )
        names = [column[0] for column in cursor.description]
        rows = [dict(zip(names, values, strict=True)) for values in cursor.fetchall()]
    return {
        row["nopd_item"]: {name: value for name, value in row.items() if value is not None}
        for row in rows
    }


def cfs_keys(entries: list[dict], kind: str) -> list[str]:
    return sorted(
        key for entry in entries if entry["path"].startswith(f"/resource/{CFS_PUBLIC}")
        for key in entry[kind]
    )  # fmt: skip


def test_after_day_two_the_portal_equals_the_mart_row_for_row(scenario):
    portal = cfs_portal_rows(scenario.platform)
    assert portal == mart_rows(scenario.platform)


def test_the_sensor_requests_exactly_day_one_for_calls_for_service(scenario):
    requested = [(r.partition_key, r.tags["civic/trigger"]) for r in scenario.day_2_requests]
    assert requested == [(DAY_1.isoformat(), "calls_for_service source changes")]
    assert all(scenario.day_2_runs_ok)


def test_the_sensor_run_selects_only_calls_for_service_and_what_it_feeds(scenario):
    selected = {key.to_user_string() for key in scenario.day_2_requests[0].asset_selection}
    assert "raw_calls_for_service" in selected
    assert "socrata/police_response_times" in selected
    assert not any("use_of_force" in key or "311" in key for key in selected)


def test_a_changed_call_type_is_published(scenario):
    row = cfs_portal_rows(scenario.platform)[scenario.changed]
    donor = scenario.day_1_portal[scenario.type_donor]
    assert row["type_"] != scenario.day_1_portal[scenario.changed]["type_"]
    assert (row["type_"], row["typetext"]) == (donor["type_"], donor["typetext"])


def test_a_call_reclassified_as_juvenile_is_withdrawn(scenario):
    assert scenario.juvenile in scenario.day_1_portal
    assert scenario.juvenile not in cfs_portal_rows(scenario.platform)


def test_a_call_closed_late_is_published(scenario):
    assert scenario.closed not in scenario.day_1_portal
    assert scenario.closed in cfs_portal_rows(scenario.platform)


def test_a_row_deleted_at_the_source_is_withdrawn(scenario):
    assert scenario.deleted not in cfs_portal_rows(scenario.platform)


def test_a_resent_duplicate_leaves_one_unchanged_row(scenario):
    published = scenario.platform.published_rows(CFS_PUBLIC)
    assert [row["nopd_item"] for row in published].count(scenario.duplicated) == 1
    assert (
        cfs_portal_rows(scenario.platform)[scenario.duplicated]
        == (scenario.day_1_portal[scenario.duplicated])
    )


def test_every_other_day_one_call_is_as_it_was(scenario):
    portal = cfs_portal_rows(scenario.platform)
    touched = {scenario.changed, scenario.juvenile, scenario.deleted, scenario.closed}
    for item, row in scenario.day_1_portal.items():
        if item not in touched:
            assert portal[item] == row


def test_day_two_payloads_held_only_the_changed_rows_and_day_two(scenario):
    day_2_calls = {
        item for item, row in mart_rows(scenario.platform).items()
        if row["timecreate"].startswith(DAY_2.isoformat())
    }  # fmt: skip
    upserted = cfs_keys(scenario.day_2_writes, "upserted_keys")
    assert sorted(set(upserted) - day_2_calls) == sorted({scenario.changed, scenario.closed})
    assert len(upserted) == len(set(upserted))
    assert cfs_keys(scenario.day_2_writes, "deleted_keys") == sorted(
        {scenario.juvenile, scenario.deleted}
    )


def test_day_three_sends_only_day_three_rows_and_requests_no_run(scenario):
    assert scenario.day_3_requests == []
    upserted = cfs_keys(scenario.day_3_writes, "upserted_keys")
    rows = mart_rows(scenario.platform)
    assert upserted
    assert all(rows[item]["timecreate"].startswith(DAY_3.isoformat()) for item in upserted)
    assert cfs_keys(scenario.day_3_writes, "deleted_keys") == []


def test_publishing_an_unchanged_partition_again_sends_zero_rows(scenario):
    assert scenario.republish_writes == []
