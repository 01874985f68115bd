"""A raw load that fails past the retry budget keeps what landed; the next one reads the rest,
and still leaves exactly the source's current rows of the window."""

from __future__ import annotations

from datetime import date

import duckdb
import pytest

from orchestration.catalog import CALLS_FOR_SERVICE
from orchestration.ingest.loader import RawLoadError, load_raw_window
from orchestration.ingest.progress import PROGRESS_TABLE
from orchestration.partitions import DayWindow
from tests.faults.conftest import clear_faults, clear_log, create_dataset, logged, queue_fault

SOURCE = CALLS_FOR_SERVICE
DATASET = "raw1-test"
WINDOW = DayWindow(date(2026, 11, 1), date(2026, 11, 4))
PAGE = 10


def source_rows() -> list[dict]:
    """35 calls on each of three days: each day a slice of 4 pages of 10."""
    return [
        {
            "nopd_item": f"R{day}{n:03d}-26",
            "typetext": "THEFT",
            "timecreate": f"2026-11-0{day}T{n % 24:02d}:00:00",
        }
        for day in (1, 2, 3)
        for n in range(35)
    ]


@pytest.fixture
def source(portal, client):
    create_dataset(client, DATASET, source_rows())
    clear_log(portal)
    return client


def load(client, warehouse, run_id: str):
    with duckdb.connect(str(warehouse)) as connection:
        return load_raw_window(
            client, connection, SOURCE, WINDOW, dataset_id=DATASET, run_id=run_id, page_size=PAGE
        )


def raw_keys(warehouse) -> list[str]:
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        return sorted(
            r[0] for r in connection.execute(f"select nopd_item from {SOURCE.raw_table}").fetchall()
        )


def csv_reads(portal) -> list[dict]:
    return [e for e in logged(portal) if e["path"].endswith(".csv") and e["status"] == 200]


def fail_from_csv_page(portal, page: int) -> None:
    queue_fault(
        portal, status=500, skip=page - 1, count=10_000, path_prefix=f"/resource/{DATASET}.csv"
    )


def test_a_load_of_many_pages_reads_every_row_once_though_id_texts_are_out_of_order(
    source, portal, tmp_path
):
    # Socrata's :id is opaque: paging follows the portal's :id order, which the texts'
    # own order is not (../shared/socrata/README.md), so the last :id of a page is rarely
    # the largest text read so far.
    ids = [row[":id"] for page in source.iter_pages(DATASET, select=":id") for row in page]
    assert ids != sorted(ids), "the portal's :id texts are out of order"
    warehouse = tmp_path / "warehouse.duckdb"

    load(source, warehouse, "run-paged")

    expected = sorted(row["nopd_item"] for row in source_rows())
    assert raw_keys(warehouse) == expected  # no row missed, none twice
    assert len(csv_reads(portal)) == 3 * 4  # three slices of four pages, none read again


def test_a_soda_2_0_source_is_read_in_pages_within_its_cap(source, portal, tmp_path):
    # docs_paging.md: a 2.0 endpoint takes a $limit of at most 50,000 (the portal refuses
    # more); the view's "newBackend": false is how a dataset says it is served by one.
    portal.store.change_view(DATASET, lambda view: {**view, "newBackend": False})
    warehouse = tmp_path / "warehouse.duckdb"

    with duckdb.connect(str(warehouse)) as connection:
        load_raw_window(
            source, connection, SOURCE, WINDOW, dataset_id=DATASET, run_id="r", page_size=10**6
        )

    assert raw_keys(warehouse) == sorted(row["nopd_item"] for row in source_rows())
    assert {read["query"]["$limit"] for read in csv_reads(portal)} == {"50000"}


def test_a_soda_2_1_source_is_read_in_pages_of_the_configured_size(source, portal, tmp_path):
    warehouse = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(warehouse)) as connection:
        load_raw_window(
            source, connection, SOURCE, WINDOW, dataset_id=DATASET, run_id="r", page_size=10**6
        )
    assert {read["query"]["$limit"] for read in csv_reads(portal)} == {"1000000"}


def test_a_failed_load_names_the_dataset_and_the_last_good_page(portal, source, tmp_path):
    fail_from_csv_page(portal, 6)
    with pytest.raises(RawLoadError) as raised:
        load(source, tmp_path / "w.duckdb", "run-1")
    message = str(raised.value)
    assert DATASET in message
    assert "failed at slice 2026-11-02..2026-11-03" in message
    assert "last good page: slice 2026-11-02..2026-11-03 up to :id" in message


def test_the_next_load_reads_only_what_had_not_landed(portal, source, tmp_path):
    warehouse = tmp_path / "w.duckdb"
    fail_from_csv_page(portal, 6)
    with pytest.raises(RawLoadError):
        load(source, warehouse, "run-1")
    landed = len(raw_keys(warehouse))
    clear_faults(portal)
    clear_log(portal)

    result = load(source, warehouse, "run-2")

    assert landed == 35 + 10  # day 1 whole, the first page of day 2
    assert result.rows_resumed == landed
    assert result.pages == 3 + 4  # day 2's last 3 pages, day 3's 4
    assert len(csv_reads(portal)) == 7
    assert raw_keys(warehouse) == sorted(row["nopd_item"] for row in source_rows())


def test_a_source_change_on_a_landed_day_reads_that_day_again(portal, source, tmp_path):
    warehouse = tmp_path / "w.duckdb"
    fail_from_csv_page(portal, 6)
    with pytest.raises(RawLoadError):
        load(source, warehouse, "run-1")
    clear_faults(portal)
    source.upsert(DATASET, [{"nopd_item": "R1000-26", ":deleted": True}])
    source.upsert(DATASET, [{"nopd_item": "R2001-26", "typetext": "CHANGED"}])

    load(source, warehouse, "run-2")

    expected = sorted(row["nopd_item"] for row in source_rows() if row["nopd_item"] != "R1000-26")
    assert raw_keys(warehouse) == expected
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        (text,) = connection.execute(
            f"select typetext from {SOURCE.raw_table} where nopd_item = 'R2001-26'"
        ).fetchone()
    assert text == "CHANGED"


def test_a_finished_load_forgets_its_progress_so_a_rerun_reads_everything(portal, source, tmp_path):
    warehouse = tmp_path / "w.duckdb"
    load(source, warehouse, "run-1")
    clear_log(portal)

    again = load(source, warehouse, "run-2")

    assert again.rows_resumed == 0 and again.rows_replaced == 105
    assert len(csv_reads(portal)) == 12
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        assert connection.execute(f"select count(*) from {PROGRESS_TABLE}").fetchone() == (0,)
    assert raw_keys(warehouse) == sorted(row["nopd_item"] for row in source_rows())
