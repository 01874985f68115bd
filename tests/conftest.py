"""Test-wide set-up: no telemetry, a throwaway Dagster home, a parsed dbt manifest."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

import pytest

from tooling.launcher.event_recording import RANGE_RUN_RECORDING

REPO_ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = REPO_ROOT.parent / "shared" / "data"

# A privacy project does not phone home, in tests either.
os.environ["DO_NOT_TRACK"] = "1"
os.environ["DBT_SEND_ANONYMOUS_USAGE_STATS"] = "false"
os.environ["SODA_CORE_TELEMETRY_ENABLED"] = "false"
# Runs record their events as the launcher has Dagster record them (batches, one plan per
# asset of a range run), so the tests' range runs are the production profile's.
os.environ.update(RANGE_RUN_RECORDING)


def _is_xdist_worker(config: pytest.Config) -> bool:
    """True in a pytest-xdist worker: the controller does the once-per-suite work."""
    return hasattr(config, "workerinput")


def pytest_configure(config: pytest.Config) -> None:
    """Parse the dbt project once, before any test (or worker) imports the definitions."""
    manifest = REPO_ROOT / "dbt_project" / "target" / "manifest.json"
    if not manifest.exists() and not _is_xdist_worker(config):
        from orchestration.transform.parse_project import parse_project

        parse_project(warehouse_path=str(REPO_ROOT / "data" / "warehouse.duckdb"))


# Memory-backed, where the machine has it: the instance's SQLite commits every event, and on
# a disk each commit waits for it (a daily run records hundreds of events).
MEMORY_FOLDER = Path("/dev/shm")


@pytest.fixture(scope="session", autouse=True)
def _dagster_home(tmp_path_factory: pytest.TempPathFactory):
    """A Dagster home for the session, configured as the project ships it (telemetry off)."""
    with contextlib.ExitStack() as stack:
        if MEMORY_FOLDER.is_dir() and os.access(MEMORY_FOLDER, os.W_OK):
            folder = tempfile.TemporaryDirectory(prefix="civic-dagster-home-", dir=MEMORY_FOLDER)
            home = Path(stack.enter_context(folder))
        else:
            home = tmp_path_factory.mktemp("dagster_home")
        (home / "dagster.yaml").write_text((REPO_ROOT / "deploy" / "dagster.yaml").read_text())
        monkeypatch = stack.enter_context(pytest.MonkeyPatch.context())
        monkeypatch.setenv("DAGSTER_HOME", str(home))
        yield home


@pytest.fixture(scope="session", autouse=True)
def _suite_seeds(tmp_path_factory: pytest.TempPathFactory):
    """Where platforms share the column metadata one of them derived
    (tests/column_metadata_seed.py) and the rule tables one built (tests/rule_tables_seed.py):
    under pytest-xdist the controller's base folder, which every worker's folders lie in, so
    all find them."""
    from tests.column_metadata_seed import SEED_ENV
    from tests.rule_tables_seed import SEED_ENV as RULE_TABLES_SEED_ENV

    base = tmp_path_factory.getbasetemp()
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setenv(SEED_ENV, str(shared / "column-metadata-seed.json"))
        monkeypatch.setenv(RULE_TABLES_SEED_ENV, str(shared / "rule-tables-seed.duckdb"))
        yield


# Modules that take minutes (a daemon's schedule, a browser, kills, whole pipeline runs in
# their fixtures), the longest first as the last full runs measured them (`--durations`):
# handed out first, they overlap one another and the many short modules fill the workers'
# ends, instead of a long module starting last and ending the suite alone. Under
# pytest-xdist's `loadscope` a module goes whole to one worker, in collection order (the
# Makefile turns off xdist's own reordering by test count, which put the modules with the
# fewest tests, often the longest, last).
WAITING_MODULES = (
    "tests/serve/test_serve.py",
    "tests/concurrency/",
    "tests/browser/test_dagster_ui.py",
    "tests/browser/test_steward_approval.py",
    "tests/pipeline/test_late_changes.py",
    "tests/faults/test_daily_run_budget.py",
    "tests/faults/test_kill_daily_run.py",
    "tests/pipeline/test_column_metadata_cache.py",
    "tests/real_rows/test_city_rows.py",
    "tests/corrections/test_corrections_reach_the_portal.py",
    "tests/pipeline/test_backfill.py",
    "tests/pipeline/test_rule_change.py",
    "tests/bad_input/",
    "tests/privacy/test_calls_for_service_privacy.py",
    "tests/pipeline/test_lineage.py",
    "tests/browser/",
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    def waits_first(item: pytest.Item) -> int:
        path = Path(str(item.path)).relative_to(REPO_ROOT).as_posix()
        for rank, prefix in enumerate(WAITING_MODULES):
            if path.startswith(prefix):
                return rank
        return len(WAITING_MODULES)

    items.sort(key=waits_first)  # stable: the order within a module and among the rest stays


@pytest.fixture
def shared_data() -> Path:
    """The real New Orleans rows beside the repo; tests that need them skip without them."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"real city data not present at {SHARED_DATA} (it is never committed)")
    return SHARED_DATA


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """After the whole suite: no portal a test left holds a row the privacy rules forbid.

    Under pytest-xdist the controller audits once, after every worker has finished: each
    worker's temporary folders lie under the controller's base folder.
    """
    from tests.published_audit import audit_portal_stores

    if _is_xdist_worker(session.config):
        return
    factory = getattr(session.config, "_tmp_path_factory", None)
    if factory is None:
        return
    violations, stores = audit_portal_stores(factory.getbasetemp())
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.write_line(
            f"published-row audit: {stores} portal stores read, {len(violations)} violations"
        )
        for violation in violations:
            reporter.write_line(f"  {violation}", red=True)
    if violations and exitstatus == 0:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
