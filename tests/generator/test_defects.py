"""Each fault the pipeline must handle is present, at its rate, and countable from the summary."""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import datetime

from tooling.generator.reference import load_reference

PRIVATE = ("caller_name", "caller_phone", "narrative")


def _parses(text: str) -> bool:
    try:
        datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%f")
    except ValueError:
        return False
    return True


def _versions(rows):
    by_item = defaultdict(list)
    for row in rows:
        if row["nopd_item"]:
            by_item[row["nopd_item"]].append(row)
    return [versions for versions in by_item.values() if len(versions) > 1]


def test_summary_counts_reconcile_with_the_rows(week_export, week_rows):
    assert week_export.days == 7
    assert week_export.rows == len(week_rows)
    assert week_export.rows == (
        week_export.calls + week_export.exact_duplicates + week_export.resent
    )


def test_every_fault_kind_is_present_in_a_week_at_realistic_rates(week_export):
    calls = week_export.calls
    expected = {
        "open_calls": 0.015,
        "juvenile": 0.005,
        "misspelled": 0.03,
        "exact_duplicates": 0.005,
        "resent": 0.01,
        "missing_id": 0.0005,
        "bad_timestamp": 0.0005,
        "test_calls": 0.0005,
    }
    for fault, share in expected.items():
        count = getattr(week_export, fault)
        assert count > 0, fault
        assert count < 3 * share * calls + 3, fault
    assert week_export.juvenile_initial_only > 0


def test_exact_duplicates_repeat_every_field(week_rows, week_export):
    identical = [versions for versions in _versions(week_rows) if versions[0] == versions[1]]
    assert len(identical) == week_export.exact_duplicates


def test_resent_versions_come_later_and_change_something(week_rows, week_export):
    resent = [versions for versions in _versions(week_rows) if versions[0] != versions[1]]
    assert len(resent) == week_export.resent
    changed = set()
    for earlier, final in resent:
        assert earlier[":updated_at"] < final[":updated_at"]
        changed |= {field for field in earlier if earlier[field] != final[field]}
    assert {"timeclosed", "disposition", "type"} <= changed


def test_open_calls_have_no_close_time_and_no_disposition(week_rows, week_export):
    open_rows = [row for row in week_rows if not row["timeclosed"]]
    assert all(not row["disposition"] and not row["dispositiontext"] for row in open_rows)
    assert len(open_rows) >= week_export.open_calls  # plus the earlier versions of re-sent calls


def test_juvenile_types_appear_also_as_initial_type_only(week_rows, week_export):
    juvenile = {t.code for era in load_reference().juvenile_types.values() for t in era.values}
    final = [row for row in week_rows if row["type"] in juvenile]
    initial_only = [
        row for row in week_rows if row["initialtype"] in juvenile and row["type"] not in juvenile
    ]
    assert final and initial_only
    assert len({row["nopd_item"] for row in initial_only}) <= week_export.juvenile_initial_only


def test_misspelled_type_texts_are_variants_of_the_canonical_text(week_rows):
    ref = load_reference()
    variants = {v for weighted in ref.misspellings.values() for v in weighted.values}
    canonical = {t.text for t in ref.types.values()}
    texts = {row["typetext"] for row in week_rows}
    assert texts <= canonical | variants
    assert texts & (variants - canonical)


def test_void_duplicate_and_test_dispositions_are_present(week_rows):
    codes = {row["disposition"] for row in week_rows}
    assert {"VOI", "DUP", "TEST"} <= codes
    assert {row["dispositiontext"] for row in week_rows if row["disposition"] == "TEST"} == {
        "Test Incident"
    }


def test_rows_missing_an_item_number_or_a_parsable_time_keep_their_day(week_rows, week_export):
    missing = [row for row in week_rows if not row["nopd_item"]]
    assert len(missing) == week_export.missing_id
    garbled = [row for row in week_rows if not _parses(row["timecreate"])]
    assert garbled
    assert all(row["timecreate"][:10] in {f"2026-11-0{d}" for d in range(1, 8)} for row in garbled)


def test_private_fields_are_there_for_the_pipeline_to_remove(week_rows):
    callers = [row for row in week_rows if row["selfinitiated"] == "N"]
    named = sum(bool(row["caller_name"]) for row in callers) / len(callers)
    assert 0.6 < named < 0.9
    assert all(
        re.fullmatch(r"\(\d{3}\) 555-01\d\d", row["caller_phone"])
        for row in callers
        if row["caller_phone"]
    )
    notes = [row for row in week_rows if row["narrative"]]
    assert any(row["address"].upper() in row["narrative"].upper() for row in notes)
    assert any(
        row["caller_name"] and row["caller_name"].upper() in row["narrative"].upper()
        for row in notes
    )
