"""How often the change sensors ask the source: every 15 minutes unless the city says."""

from __future__ import annotations

import pytest

from orchestration.catalog import SOURCES
from orchestration.definitions import change_interval_from_environment
from orchestration.defs.sensors import build_change_sensors


def test_the_sensors_look_every_fifteen_minutes_by_default(monkeypatch):
    monkeypatch.delenv("SOURCE_CHANGE_INTERVAL_S", raising=False)
    assert change_interval_from_environment() == 15 * 60


def test_the_interval_comes_from_the_environment_in_seconds(monkeypatch):
    monkeypatch.setenv("SOURCE_CHANGE_INTERVAL_S", "60")
    assert change_interval_from_environment() == 60


def test_every_source_sensor_takes_the_interval():
    sensors = build_change_sensors(SOURCES, interval_s=60)
    assert {sensor.minimum_interval_seconds for sensor in sensors} == {60}
    assert len(sensors) == len(SOURCES)


def test_an_interval_shorter_than_a_look_at_the_source_is_refused(monkeypatch):
    monkeypatch.setenv("SOURCE_CHANGE_INTERVAL_S", "5")
    with pytest.raises(ValueError, match="SOURCE_CHANGE_INTERVAL_S"):
        change_interval_from_environment()
