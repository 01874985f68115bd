"""Reading rows with `GET /resource/<id>.json|.csv`, through sodapy as the pipeline does."""

from __future__ import annotations

import json

import pytest
import requests

from tests.portal.conftest import CFS_ID, recorded_exchanges


def items(rows: list[dict[str, str]]) -> list[str]:
    return [row["nopd_item"] for row in rows]


def test_rows_come_back_as_strings_without_null_fields_or_system_fields(client):
    rows = client.get(CFS_ID, order="nopd_item")
    assert rows[0] == {
        "nopd_item": "A0001-22",
        "type_": "21",
        "priority": "2A",
        "mapx": "3668797",
        "timecreate": "2022-01-01T00:07:00.000",
    }
    assert "priority" not in rows[2]
    assert all(isinstance(value, str) for row in rows for value in row.values())


def test_where_compares_text_number_and_calendar_date_fields_by_type(client):
    assert items(client.get(CFS_ID, where="type_ = '21'", order="nopd_item")) == [
        "A0001-22",
        "A0003-22",
    ]
    assert items(client.get(CFS_ID, where="mapx > 1000", order="mapx")) == ["A0003-22", "A0001-22"]
    one_day = "timecreate >= '2022-01-01T00:00:00' and timecreate < '2022-01-02T00:00:00'"
    assert items(client.get(CFS_ID, where=one_day, order="nopd_item")) == [
        "A0001-22",
        "A0002-22",
        "A0003-22",
    ]


def test_where_combines_between_is_null_and_or(client):
    where = "mapx between 900 and 10000 or priority is null"
    assert items(client.get(CFS_ID, where=where, order="nopd_item")) == ["A0002-22", "A0003-22"]
    assert items(client.get(CFS_ID, where="mapx is null")) == ["A0004-22"]


def test_where_on_updated_at_reads_a_watermark_window(client):
    rows = client.get(
        CFS_ID,
        select=":updated_at, nopd_item",
        where=":updated_at > '2026-11-01T11:00:00.000Z' and :updated_at <= '2026-11-03T08:00:00'",
        order=":updated_at",
    )
    assert rows == [
        {":updated_at": "2026-11-02T09:30:00.000Z", "nopd_item": "A0003-22"},
        {":updated_at": "2026-11-03T08:00:00.000Z", "nopd_item": "A0004-22"},
    ]


def test_simple_filters_select_rows_by_field_value(client):
    assert items(client.get(CFS_ID, priority="2A", order="nopd_item")) == ["A0001-22", "A0004-22"]


def test_pages_of_order_limit_and_offset_are_stable_and_cover_every_row(client):
    whole = items(client.get(CFS_ID, order="type_"))
    pages = [items(client.get(CFS_ID, order="type_", limit=2, offset=n)) for n in (0, 2, 4)]
    assert pages[0] + pages[1] == whole
    assert pages[2] == []
    assert items(client.get(CFS_ID, order="type_")) == whole


def test_count_and_max_updated_at_answer_in_one_row(client):
    rows = client.get(CFS_ID, select="count(*) as row_count, max(:updated_at)")
    assert rows == [{"row_count": "4", "max_updated_at": "2026-11-03T08:00:00.000Z"}]


def test_group_counts_rows_per_value(client):
    rows = client.get(CFS_ID, select="type_, count(*)", group="type_", order="count desc")
    assert rows[0] == {"type_": "21", "count": "2"}


def test_group_by_date_trunc_ymd_counts_rows_per_local_day(client):
    rows = client.get(
        CFS_ID,
        select="date_trunc_ymd(timecreate) as day, count(*) as row_count",
        group="day",
        order="day",
    )
    assert rows == [
        {"day": "2022-01-01T00:00:00.000", "row_count": "3"},
        {"day": "2022-01-02T00:00:00.000", "row_count": "1"},
    ]


def test_date_trunc_of_a_text_column_is_refused(client):
    with pytest.raises(Exception, match="calendar_date"):
        client.get(CFS_ID, select="date_trunc_ymd(type_), count(*)", group="date_trunc_ymd(type_)")


def test_system_fields_come_with_colon_star_or_exclude_system_fields_false(client):
    starred = client.get(CFS_ID, select=":*, *", order="nopd_item", limit=1)[0]
    assert list(starred)[:3] == [":id", ":created_at", ":updated_at"]
    assert starred[":id"].startswith("row-")
    assert starred[":updated_at"] == "2026-11-01T10:00:00.000Z"
    unexcluded = client.get(CFS_ID, order="nopd_item", limit=1, exclude_system_fields=False)[0]
    assert unexcluded == starred


def test_csv_answers_have_a_header_of_field_names_then_rows(client, portal):
    rows = client.get(CFS_ID, content_type="csv", select="nopd_item, priority", order="nopd_item")
    assert rows == [
        ["nopd_item", "priority"],
        ["A0001-22", "2A"],
        ["A0002-22", "1B"],
        ["A0003-22", ""],
        ["A0004-22", "2A"],
    ]
    answer = requests.get(f"{portal.url}/resource/{CFS_ID}.csv", timeout=5)
    assert answer.headers["Content-Type"] == "text/csv; charset=utf-8"


def test_soda_headers_name_the_fields_and_their_types(portal):
    answer = requests.get(
        f"{portal.url}/resource/{CFS_ID}.json", params={"$select": "nopd_item, mapx"}, timeout=5
    )
    assert answer.headers["X-SODA2-Fields"] == '["nopd_item", "mapx"]'
    assert answer.headers["X-SODA2-Types"] == '["text", "number"]'


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"$where": "mapx >"}, "query.soql.invalid"),
        ({"$where": "beat = '1A'"}, "query.soql.no-such-column"),
        ({"$select": "nopd_item, beat"}, "query.soql.no-such-column"),
        ({"beat": "1A"}, "query.soql.no-such-column"),
        ({"$limit": "50001"}, "query.soql.limit-too-high"),
        ({"$limit": "-1"}, "query.soql.invalid"),
        ({"$offset": "ten"}, "query.soql.invalid"),
        ({"$q": "burglary"}, "query.soql.unsupported"),
    ],
)
def test_bad_queries_get_a_400_with_a_socrata_error_body(portal, params, code):
    answer = requests.get(f"{portal.url}/resource/{CFS_ID}.json", params=params, timeout=5)
    assert answer.status_code == 400
    body = answer.json()
    assert body["error"] is True
    assert body["code"] == code
    assert body["message"]


def test_sodapy_reports_the_message_of_a_refused_query(client):
    with pytest.raises(requests.HTTPError, match="no such column: beat"):
        client.get(CFS_ID, where="beat = '1A'")


def test_an_unknown_dataset_is_a_404(client):
    with pytest.raises(requests.HTTPError, match="404"):
        client.get("zzzz-0000")


def test_an_unknown_dataset_answers_the_recorded_dataset_missing_body(portal, shared_socrata):
    # recorded/test_get_missing.yaml: GET /resource/songs.json
    recorded = recorded_exchanges(shared_socrata, "test_get_missing.yaml")[0]
    answer = requests.get(f"{portal.url}/resource/songs.json", timeout=5)
    assert answer.status_code == recorded["status"]
    assert answer.json() == json.loads(recorded["body"])


def test_a_dataset_on_the_new_backend_says_so_and_serves_csv_pages_of_any_size(portal):
    # docs_paging.md: a SODA 2.1 endpoint's $limit is unlimited
    view = requests.get(f"{portal.url}/api/views/{CFS_ID}.json", timeout=5).json()
    assert view["newBackend"] is True
    answer = requests.get(
        f"{portal.url}/resource/{CFS_ID}.csv", params={"$limit": "1000000"}, timeout=5
    )
    assert answer.status_code == 200


def test_a_soda_2_0_dataset_refuses_a_csv_page_above_50000_rows(portal):
    # docs_paging.md: on a 2.0 endpoint $limit is at most 50,000, in every format
    portal.store.change_view(CFS_ID, lambda view: {**view, "newBackend": False})
    url = f"{portal.url}/resource/{CFS_ID}.csv"
    refused = requests.get(url, params={"$limit": "50001"}, timeout=5)
    assert refused.status_code == 400
    assert refused.json()["code"] == "query.soql.limit-too-high"
    assert requests.get(url, params={"$limit": "50000"}, timeout=5).status_code == 200
