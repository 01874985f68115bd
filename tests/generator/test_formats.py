"""Every field has the shape of the OPCD CAD export, so the pipeline is tested on real forms."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from tooling.generator import generate_calls
from tooling.generator.calls_for_service import COLUMNS, FIELDS

TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000$")
ITEM = re.compile(r"^[A-L]\d{5}\d\d$")
BEAT = re.compile(r"^[1-8][A-Z]\d\d$")
PHONE = re.compile(r"^\(\d{3}\) 555-01\d\d$")
TIME_FIELDS = ("timedispatch", "timearrive", "timeclosed")
CITY = ZoneInfo("America/Chicago")
SYSTEM_TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")


def _time(text: str) -> datetime | None:
    """The time a floating timestamp stands for; None when it does not parse."""
    if not TIMESTAMP.match(text):
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def test_header_is_the_internal_export_columns_in_order(week_export):
    header = week_export.path.read_text(encoding="utf-8").split("\n", 1)[0]
    assert header.split(",") == [*FIELDS, ":updated_at"] == list(COLUMNS)
    assert FIELDS[0] == "nopd_item" and FIELDS[-1] == "narrative"


def test_timestamps_are_floating_local_times_with_milliseconds(week_rows, week_export):
    for row in week_rows:
        for field in TIME_FIELDS:
            assert not row[field] or _time(row[field]), row[field]
    garbled = [row for row in week_rows if _time(row["timecreate"]) is None]
    # a duplicate or an earlier version repeats its garbled original
    assert len({row["nopd_item"] or id(row) for row in garbled}) == week_export.bad_timestamp


def test_row_versions_are_stamped_in_utc_like_socrata_system_fields(week_rows):
    assert all(SYSTEM_TIMESTAMP.match(row[":updated_at"]) for row in week_rows)


def test_item_numbers_carry_the_month_letter_and_year_of_creation(week_rows):
    for row in week_rows:
        if row["nopd_item"]:
            assert ITEM.match(row["nopd_item"])
            assert row["nopd_item"][0] == "K" and row["nopd_item"][-2:] == "26"


def test_beats_have_district_zone_subzone_shape(week_rows):
    assert all(BEAT.match(row["beat"]) for row in week_rows)


def test_zip_and_district_are_blank_or_zero_only_when_ungeocoded(week_rows):
    ungeocoded = [row for row in week_rows if row["policedistrict"] == "0"]
    assert ungeocoded
    assert all(not (r["zip"] or r["latitude"] or r["longitude"]) for r in ungeocoded)
    for row in week_rows:
        assert row["policedistrict"] in set("012345678")
        if row["policedistrict"] != "0":
            assert re.fullmatch(r"70\d{3}", row["zip"])


def test_coordinates_are_precise_and_in_new_orleans(week_rows):
    for row in week_rows:
        if row["latitude"]:
            assert re.fullmatch(r"\d+\.\d{6}", row["latitude"])
            assert 29.85 < float(row["latitude"]) < 30.20
            assert -90.15 < float(row["longitude"]) < -89.70


def test_addresses_are_full_and_one_address_has_one_point(week_rows):
    points = defaultdict(set)
    for row in week_rows:
        assert not re.match(r"^\d{3}XX ", row["address"])  # never block-level internally
        if row["latitude"] and re.match(r"^\d+ ", row["address"]):
            points[row["address"]].add((row["latitude"], row["longitude"]))
    assert any(" & " in row["address"] for row in week_rows)
    assert all(len(found) == 1 for found in points.values())


def test_priorities_follow_the_cad_era():
    old_era = list(generate_calls(date(2022, 9, 1), date(2022, 9, 1)))
    new_era = list(generate_calls(date(2026, 11, 1), date(2026, 11, 1)))
    assert all(re.fullmatch(r"[0-3][A-Z]", row["priority"]) for row in old_era)
    new_style = sum(bool(re.fullmatch(r"[0-3]", row["priority"])) for row in new_era)
    assert 0.9 < new_style / len(new_era) < 1.0  # a few old-style rows keep coming


def test_selfinitiated_calls_have_no_caller_and_arrive_at_creation(week_rows):
    field = [row for row in week_rows if row["selfinitiated"] == "Y"]
    assert field and all(row["selfinitiated"] in {"Y", "N"} for row in week_rows)
    assert not any(row["caller_name"] or row["caller_phone"] for row in field)
    # a garbled creation time (``T24:82:00.000`` has the timestamp's shape) is not compared
    assert all(row["timearrive"] == row["timecreate"] for row in field if _time(row["timecreate"]))


def _instant(moment: datetime, after: datetime | None = None) -> datetime:
    """The UTC instant of a local wall-clock time: its first pass through the repeated
    fall-back hour, unless that reads before `after` and the second pass does not."""
    first = moment.replace(tzinfo=CITY, fold=0).astimezone(UTC)
    if after is not None and first < after:
        second = moment.replace(tzinfo=CITY, fold=1).astimezone(UTC)
        if second >= after:
            return second
    return first


def test_event_times_are_ordered_except_arrival_before_a_late_dispatch(week_rows):
    early_arrivals = 0
    for row in week_rows:
        created_at = _time(row["timecreate"])
        if created_at is None:
            continue
        created = _instant(created_at)
        times: dict[str, datetime] = {}
        for field in TIME_FIELDS:  # each read in the call's order: dispatch, arrive, close
            if row[field]:
                previous = [created] if row[field] == row["timecreate"] else times.values()
                times[field] = _instant(_time(row[field]), max([created, *previous]))
        assert all(moment >= created for moment in times.values())
        if "timeclosed" in times:
            assert times["timeclosed"] >= max(times.values())
        if "timearrive" in times and "timedispatch" in times:
            early_arrivals += times["timearrive"] < times["timedispatch"]
    assert 0 < early_arrivals < 0.03 * len(week_rows)


def test_no_time_falls_in_the_spring_forward_gap():
    rows = list(generate_calls(date(2026, 3, 7), date(2026, 3, 8)))
    for row in rows:
        for field in ("timecreate", *TIME_FIELDS):
            assert not (row[field] or "").startswith("2026-03-08T02:")


def test_sidecar_describes_every_column_and_has_no_row_identifier(week_export):
    meta = json.loads(week_export.meta_path.read_text(encoding="utf-8"))
    assert meta["name"] == "OPCD CAD Calls for Service (internal export)"
    assert meta["rowIdentifier"] is None
    assert [column["fieldName"] for column in meta["columns"]] == list(FIELDS)
    kinds = {column["fieldName"]: column["dataTypeName"] for column in meta["columns"]}
    assert kinds["timecreate"] == "calendar_date" and kinds["latitude"] == "number"
    assert set(kinds.values()) == {"text", "calendar_date", "number"}


def test_a_call_open_as_clocks_fall_back_can_close_earlier_on_the_wall_clock(week_rows):
    """2026-11-01, 02:00 daylight time became 01:00 standard time: a call created in the
    first pass of 01:00-01:59 and closed after the change reads a close in the second pass."""
    inverted = [
        row
        for row in week_rows
        if row["timecreate"].startswith("2026-11-01T01:")
        and row["timeclosed"].startswith("2026-11-01T01:")
        and row["timeclosed"] < row["timecreate"]
    ]
    assert inverted
    for row in inverted:
        created = _instant(_time(row["timecreate"]))
        assert _instant(_time(row["timeclosed"]), created) > created
