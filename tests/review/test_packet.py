"""The review packet of a day, built from a warehouse dbt built from hand-made raw rows: one
row per section's case, and its page escaping what the source sent."""

from __future__ import annotations

from datetime import date

import duckdb
import pytest

from orchestration.catalog import CALLS_FOR_SERVICE
from orchestration.publishing.ledger import LEDGER_TABLE, ensure_ledger
from orchestration.review.packet import ReviewPacket, build_packet
from orchestration.review.render import html_page, markdown_sections
from tests.warehouse_builder import dbt_build, raw_row, write_raw_rows

pytestmark = pytest.mark.integration  # builds a warehouse with dbt: not in make test-fast

DAY = date(2022, 1, 1)  # a Saturday
WEEK_BEFORE = date(2021, 12, 25)
DATASET_ID = CALLS_FOR_SERVICE.published.public_dataset_id
SCRIPT = "<script>alert('x')</script>"


def on(day: date, item: str, **fields) -> dict:
    """A closed call created on `day` at 08:50."""
    times = {
        "timecreate": f"{day}T08:50:00.000",
        "timedispatch": f"{day}T09:24:00.000",
        "timearrive": f"{day}T09:33:00.000",
        "timeclosed": f"{day}T09:49:00.000",
    }
    return raw_row(item, **{**times, **fields})


DAY_ROWS = [
    on(DAY, "A0000122"),  # published as it came
    on(DAY, "A0000222", timecreate=f"{DAY}T08:50:20.000"),  # the same event, 20 s later
    on(DAY, "A0000322", type="21J", typetext="MISSING JUVENILE"),  # withheld: juvenile
    on(DAY, "A0000422", disposition="XYZ", dispositiontext="NEW DISPOSITION"),  # quarantined
    on(DAY, "A0000522", type="94", typetext="DISCHARGING FIREARMS", address="612 Esplanade Ave"),
    on(DAY, "A0000622", typetext=SCRIPT, address="1300 Poydras St"),
]
HISTORY_ROWS = [on(WEEK_BEFORE, "A0009921"), on(WEEK_BEFORE, "A0009821", address="1 Canal St")]


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory):
    warehouse = tmp_path_factory.mktemp("review_packet") / "warehouse.duckdb"
    write_raw_rows(warehouse, HISTORY_ROWS, WEEK_BEFORE)
    write_raw_rows(warehouse, DAY_ROWS, DAY)
    for day in (WEEK_BEFORE, DAY):
        result = dbt_build(warehouse, day, date.fromordinal(day.toordinal() + 1))
        assert result.returncode == 0, result.stdout[-3000:]
    # An earlier publish of the day: one call sent with other content, one since withdrawn.
    connection = duckdb.connect(str(warehouse))
    try:
        ensure_ledger(connection)
        connection.execute(
            f"insert into {LEDGER_TABLE} values "
            "(?, 'A0000122', ?, 'an older hash', now(), 'earlier-run'), "
            "(?, 'A0000722', ?, 'a hash', now(), 'earlier-run')",
            [DATASET_ID, DAY, DATASET_ID, DAY],
        )
    finally:
        connection.close()
    return warehouse


@pytest.fixture(scope="module")
def packet(warehouse) -> ReviewPacket:
    connection = duckdb.connect(str(warehouse))
    try:
        return build_packet(connection, CALLS_FOR_SERVICE, DAY, DATASET_ID)
    finally:
        connection.close()


def test_rows_are_counted_published_withheld_with_the_rule_and_quarantined_with_reason(packet):
    fates = {(row.fate, row.reason): row.rows for row in packet.fates}
    assert fates[("published", None)] == 4
    assert [r for (fate, r) in fates if fate == "excluded"] == ["exclude_juvenile_call_types"]
    assert ("quarantined", "unknown disposition") in fates
    assert sum(fates.values()) == len(DAY_ROWS)


def test_a_code_no_seed_lists_is_named_with_its_source_text(packet):
    assert [(c.field, c.code, c.source_text) for c in packet.new_codes] == [
        ("disposition", "XYZ", "NEW DISPOSITION")
    ]


def test_a_variant_text_of_a_known_code_is_a_candidate_misspelling(packet):
    candidates = {(m.code, m.source_text): m for m in packet.misspellings}
    firearms = candidates[("94", "DISCHARGING FIREARMS")]
    assert firearms.canonical_text == "DISCHARGING FIREARM"
    assert firearms.score > 90


def test_the_same_type_at_the_same_block_within_a_minute_is_a_suspected_duplicate(packet):
    assert [(d.nopd_item, d.suspected_duplicate_of) for d in packet.duplicates] == [
        ("A0000222", "A0000122")
    ]


def test_volume_is_set_against_the_same_weekday_before(packet):
    assert packet.volume.rows == 4
    assert packet.volume.history == ((WEEK_BEFORE, 2),)
    assert packet.volume.usual == 2


def test_a_day_without_earlier_weeks_in_the_mart_says_no_history(warehouse):
    connection = duckdb.connect(str(warehouse))
    try:
        first = build_packet(connection, CALLS_FOR_SERVICE, WEEK_BEFORE, DATASET_ID)
    finally:
        connection.close()
    assert first.volume.usual is None
    assert "no history" in first.volume.describe()


def test_changes_are_what_the_publish_would_send_against_the_ledger(packet):
    plan = packet.changes.plan
    assert (plan.creates, plan.updates, plan.deletes) == (3, 1, 1)
    assert packet.changes.row_ids["update"] == ("A0000122",)
    assert packet.changes.row_ids["delete"] == ("A0000722",)


def test_use_of_force_has_no_coded_sections(warehouse):
    from orchestration.catalog import USE_OF_FORCE

    connection = duckdb.connect(str(warehouse))
    try:
        packet = build_packet(connection, USE_OF_FORCE, DAY, "nopd-uofp")
    finally:
        connection.close()
    assert packet.new_codes is None and packet.misspellings is None
    assert packet.duplicates is None
    assert "does not apply" in markdown_sections(packet)["Candidate misspellings"]


def test_the_page_shows_a_script_in_a_source_text_as_text(packet):
    page = html_page(packet)
    assert SCRIPT not in page
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in page


def test_the_page_loads_nothing_from_elsewhere(packet):
    page = html_page(packet)
    assert "http" not in page and "src=" not in page and "<link" not in page


def test_the_markdown_tables_escape_a_source_text(packet):
    shown = markdown_sections(packet)["Candidate misspellings"]
    assert "<script>" not in shown and "&lt;script&gt;" in shown
