"""Socrata credentials are sent over plain HTTP to loopback only, through the resource too."""

from __future__ import annotations

import pytest

from orchestration.socrata.resource import SocrataResource


def test_the_resource_refuses_plain_http_to_a_remote_portal():
    resource = SocrataResource(domain="http://data.example.gov", password="pw-Xk29")
    with pytest.raises(ValueError, match="plain HTTP"), resource.open():
        pass


def test_the_resource_speaks_https_to_a_remote_portal():
    with SocrataResource(domain="data.example.gov").open() as client:
        assert client.base_url == "https://data.example.gov"


def test_the_resource_speaks_plain_http_to_loopback():
    with SocrataResource(domain="127.0.0.1:8802").open() as client:
        assert client.base_url == "http://127.0.0.1:8802"
