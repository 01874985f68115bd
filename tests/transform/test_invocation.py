"""How a run invokes dbt: the window in the environment, only the privacy parameters as vars."""

from __future__ import annotations

import json
from datetime import date

import yaml

from orchestration.catalog import SOURCES, privacy_vars
from orchestration.partitions import DayWindow
from orchestration.transform.invocation import NIGHTLY_EXCLUDES, dbt_build_args, dbt_environment
from orchestration.transform.project import DBT_PROJECT_DIR

WINDOW = DayWindow(date(2026, 11, 2), date(2026, 11, 5))


def test_the_vars_are_the_privacy_parameters_and_nothing_of_the_window():
    args = dbt_build_args(privacy_vars())
    assert args[:2] == ["build", "--vars"]
    assert json.loads(args[2]) == {source.name: dict(source.privacy) for source in SOURCES}
    assert args[3:] == list(NIGHTLY_EXCLUDES)


def test_a_build_leaves_the_unit_tests_to_make_test():
    assert dbt_build_args(privacy_vars())[3:] == ["--exclude-resource-type", "unit_test"]


def test_the_vars_are_dbt_project_vars_that_the_models_read():
    declared = yaml.safe_load((DBT_PROJECT_DIR / "dbt_project.yml").read_text())["vars"]
    assert set(json.loads(dbt_build_args(privacy_vars())[2])) <= set(declared)


def test_another_command_gets_the_same_vars():
    privacy = privacy_vars()
    assert dbt_build_args(privacy, "test") == ["test", *dbt_build_args(privacy)[1:3]]


def test_the_window_travels_in_the_environment_half_open():
    assert dbt_environment(WINDOW) == {
        "CIVIC_PARTITION_START": "2026-11-02",
        "CIVIC_PARTITION_END": "2026-11-05",
    }


def test_the_environment_names_are_the_ones_the_window_macro_reads():
    macro = (DBT_PROJECT_DIR / "macros" / "partition_window.sql").read_text()
    assert 'env_var("CIVIC_PARTITION_" ~ name | upper' in macro
    for name in dbt_environment(WINDOW):
        bound = name.removeprefix("CIVIC_PARTITION_").lower()
        assert f'partition_bound("{bound}")' in macro, name
