"""Credentials guard writes; an app token, when configured, must match when sent."""

from __future__ import annotations

import pytest
import requests

from tests.portal.conftest import CFS_ID, socrata_client

ROW = [{"nopd_item": "A0009-22", "type_": "21"}]


@pytest.fixture
def guarded(cfs_dir, start_portal):
    return start_portal(cfs_dir, username="publisher", password="s3cret", app_token="tok-1")


def test_writes_without_credentials_are_refused_with_401(guarded):
    with socrata_client(guarded) as client, pytest.raises(requests.HTTPError, match="401"):
        client.upsert(CFS_ID, ROW)
    answer = requests.put(f"{guarded.url}/api/views/{CFS_ID}.json", json={"name": "x"}, timeout=5)
    assert answer.status_code == 401
    assert answer.headers["WWW-Authenticate"].startswith("Basic")
    assert answer.json()["code"] == "authentication_required"


def test_reads_need_no_credentials(guarded):
    with socrata_client(guarded) as client:
        assert len(client.get(CFS_ID)) == 4


def test_writes_with_the_credentials_succeed(guarded):
    with socrata_client(guarded, username="publisher", password="s3cret") as client:
        assert client.upsert(CFS_ID, ROW)["Rows Created"] == 1


def test_wrong_credentials_are_refused_even_for_reads(guarded):
    with (
        socrata_client(guarded, username="publisher", password="guess") as client,
        pytest.raises(requests.HTTPError, match="401"),
    ):
        client.get(CFS_ID)


def test_a_different_app_token_is_refused_with_403(guarded):
    with (
        socrata_client(guarded, app_token="tok-2") as client,
        pytest.raises(requests.HTTPError, match="403"),
    ):
        client.get(CFS_ID)
    answer = requests.get(
        f"{guarded.url}/resource/{CFS_ID}.json", params={"$$app_token": "tok-2"}, timeout=5
    )
    assert answer.json()["code"] == "invalid_app_token"


def test_the_right_app_token_or_none_is_served(guarded):
    with socrata_client(guarded, app_token="tok-1") as client:
        assert len(client.get(CFS_ID)) == 4
    assert requests.get(f"{guarded.url}/resource/{CFS_ID}.json", timeout=5).status_code == 200


def test_without_configured_credentials_writes_are_open(client):
    assert client.upsert(CFS_ID, ROW)["Rows Created"] == 1


def test_the_current_user_is_who_the_credentials_name(guarded):
    """docs_authentication.md: `/api/users/current.json` answers the authenticated user."""
    answer = requests.get(
        f"{guarded.url}/api/users/current.json", auth=("publisher", "s3cret"), timeout=5
    )
    assert answer.status_code == 200
    assert answer.json()["displayName"] == "publisher"


def test_there_is_no_current_user_without_credentials(guarded):
    answer = requests.get(f"{guarded.url}/api/users/current.json", timeout=5)
    assert answer.status_code == 401


def test_wrong_credentials_have_no_current_user(guarded):
    answer = requests.get(
        f"{guarded.url}/api/users/current.json", auth=("publisher", "guess"), timeout=5
    )
    assert answer.status_code == 401
