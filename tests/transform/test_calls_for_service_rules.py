"""Each privacy and cleaning rule of the calls-for-service models, one behaviour per test.

One dbt build over hand-written raw rows: each row exists to exercise one rule.
"""

from __future__ import annotations

from datetime import date

import pytest

from tests.warehouse_builder import dbt_build, query, raw_row, write_raw_rows

pytestmark = pytest.mark.integration  # builds warehouses with dbt: not in make test-fast

DAY = date(2022, 1, 1)
NEXT_DAY = date(2022, 1, 2)

ROWS = [
    # A plain closed call with a house-number address and caller details.
    raw_row("A0000122"),
    # The same call exported twice, identically (an exact duplicate).
    raw_row("A0000222", typetext="COMPLAINT OTHER"),
    raw_row("A0000222", typetext="COMPLAINT OTHER"),
    # A call re-sent later with a changed disposition: the later version wins.
    raw_row("A0000322", disposition="GOA", dispositiontext="GONE ON ARRIVAL"),
    raw_row(
        "A0000322",
        updated_at="2022-01-02T09:00:00.000Z",
        disposition="RTF",
        dispositiontext="REPORT TO FOLLOW",
    ),
    # Misspelled and re-spaced texts for the same type.
    raw_row("A0000422", type="94", typetext="DISCHARGING FIREARMS"),
    raw_row("A0000522", type="94", typetext="discharging  firearm"),
    # Juvenile by final code, by initial code only, by text of an unlisted code.
    raw_row("A0000622", type="21J", typetext="MISSING JUVENILE"),
    raw_row("A0000722", initialtype="21J", initialtypetext="MISSING JUVENILE"),
    raw_row("A0000822", type="99ZZ", typetext="Runaway  juvenile"),
    # Still open.
    raw_row("A0000922", timeclosed=None, disposition=None, dispositiontext=None),
    # An intersection and a highway keep their names.
    raw_row("A0001022", address="Magazine St & Soniat St"),
    raw_row("A0001122", address="I-10 W"),
    # Numbered streets and suffixed house numbers.
    raw_row("A0001622", address="1132 8th St"),
    raw_row("A0001722", address="2nd St & Magazine St"),
    raw_row("A0001822", address="3021-A  Oliver White Ave"),
    # A sexual offence: published without coordinates.
    raw_row("A0001222", type="42", typetext="SIMPLE RAPE"),
    # Not geocoded.
    raw_row("A0001322", latitude=None, longitude=None, zip=None, policedistrict="0"),
    # Rows that break the rules of their type.
    raw_row(None),
    raw_row("A0001422", timecreate="2022-01-01T24:61:00.000"),
    raw_row("A0001522", timeclosed="yesterday evening"),
]


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    path = tmp_path_factory.mktemp("rules") / "warehouse.duckdb"
    write_raw_rows(path, ROWS, DAY)
    result = dbt_build(path, DAY, NEXT_DAY)
    assert result.returncode == 0, result.stdout[-4000:]
    return path


def published(warehouse, column: str, nopd_item: str):
    rows = query(
        warehouse, f"select {column} from marts.calls_for_service where nopd_item = ?", [nopd_item]
    )
    return rows[0][0] if rows else None


def fate(warehouse, nopd_item: str | None) -> list[tuple[str, str]]:
    condition = "nopd_item is null" if nopd_item is None else "nopd_item = ?"
    return query(
        warehouse,
        f"select fate, fate_reason from audit.audit_calls_for_service_row_fates "
        f"where {condition} order by fate",
        [] if nopd_item is None else [nopd_item],
    )


def test_caller_contact_and_narrative_are_not_in_the_public_mart(warehouse):
    columns = {row[0] for row in query(warehouse, "describe marts.calls_for_service")}
    assert not columns & {"caller_name", "caller_phone", "narrative", "address"}
    values = query(warehouse, "select * from marts.calls_for_service")
    text = " ".join(str(value) for row in values for value in row)
    assert "Boudreaux" not in text
    assert "555-0134" not in text


def test_house_numbers_become_hundred_blocks(warehouse):
    assert published(warehouse, "block_address", "A0000122") == "040XX General De Gaulle Dr"


def test_intersections_and_highways_keep_their_names(warehouse):
    assert published(warehouse, "block_address", "A0001022") == "Magazine St & Soniat St"
    assert published(warehouse, "block_address", "A0001122") == "I-10 W"
    assert published(warehouse, "block_address", "A0001722") == "2nd St & Magazine St"


def test_numbered_streets_and_suffixed_house_numbers_are_masked(warehouse):
    assert published(warehouse, "block_address", "A0001622") == "011XX 8th St"
    assert published(warehouse, "block_address", "A0001822") == "030XX Oliver White Ave"


def test_coordinates_are_state_plane_snapped_to_the_block_grid(warehouse):
    mapx, mapy, location = query(
        warehouse,
        "select mapx, mapy, location from marts.calls_for_service where nopd_item = 'A0000122'",
    )[0]
    assert (mapx - 150) % 300 == 0 and (mapy - 150) % 300 == 0
    assert abs(mapx - 3698591) <= 150 and abs(mapy - 519112) <= 150  # the city's MapX/MapY
    assert location.startswith("POINT (-90.01")


def test_sensitive_call_types_are_published_without_coordinates(warehouse):
    row = query(
        warehouse,
        "select mapx, mapy, location, block_address from marts.calls_for_service "
        "where nopd_item = 'A0001222'",
    )[0]
    assert row[:3] == (None, None, None)
    assert row[3] == "040XX General De Gaulle Dr"


def test_ungeocoded_calls_have_no_coordinates(warehouse):
    assert published(warehouse, "mapx", "A0001322") is None
    assert published(warehouse, "location", "A0001322") is None


@pytest.mark.parametrize("nopd_item", ["A0000622", "A0000722", "A0000822"])
def test_juvenile_call_types_are_excluded_by_code_initial_code_or_text(warehouse, nopd_item):
    assert published(warehouse, "nopd_item", nopd_item) is None
    assert fate(warehouse, nopd_item) == [("excluded", "exclude_juvenile_call_types")]


def test_open_calls_are_excluded(warehouse):
    assert published(warehouse, "nopd_item", "A0000922") is None
    assert fate(warehouse, "A0000922") == [("excluded", "exclude_open_calls")]


def test_exact_duplicates_publish_one_row(warehouse):
    assert query(
        warehouse, "select count(*) from marts.calls_for_service where nopd_item = 'A0000222'"
    ) == [(1,)]
    assert sorted(f[0] for f in fate(warehouse, "A0000222")) == ["merged_duplicate", "published"]


def test_latest_resent_version_wins(warehouse):
    assert published(warehouse, "disposition", "A0000322") == "RTF"
    assert published(warehouse, "dispositiontext", "A0000322") == "REPORT TO FOLLOW"


def test_one_canonical_typetext_per_type(warehouse):
    texts = query(
        warehouse, "select distinct typetext from marts.calls_for_service where type_ = '94'"
    )
    assert texts == [("DISCHARGING FIREARM",)]


@pytest.mark.parametrize(
    ("nopd_item", "reason"),
    [
        (None, "missing nopd_item"),
        ("A0001422", "unparsable timecreate"),
        ("A0001522", "unparsable timeclosed"),
    ],
)
def test_rows_breaking_their_types_are_quarantined_with_a_reason(warehouse, nopd_item, reason):
    assert fate(warehouse, nopd_item) == [("quarantined", reason)]


def test_every_raw_row_is_accounted_for(warehouse):
    fates = dict(
        query(
            warehouse,
            "select fate, count(*) from audit.audit_calls_for_service_row_fates group by fate",
        )
    )
    assert sum(fates.values()) == len(ROWS)
    assert (
        fates["published"] == query(warehouse, "select count(*) from marts.calls_for_service")[0][0]
    )


def test_rebuilding_the_window_replaces_rather_than_appends(warehouse):
    before = query(warehouse, "select count(*) from marts.calls_for_service")
    assert dbt_build(warehouse, DAY, NEXT_DAY).returncode == 0
    assert query(warehouse, "select count(*) from marts.calls_for_service") == before
