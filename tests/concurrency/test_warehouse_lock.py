"""A run holds the warehouse until it ends; others wait (bounded, logged) or fail clearly."""

from __future__ import annotations

import logging
import subprocess
import sys

import dagster as dg
import duckdb
import pytest

from orchestration.warehouse.resource import WarehouseResource
from orchestration.warehouse.run_lock import WarehouseBusyError, acquire_run_lock

HOLD_DUCKDB = (
    "import duckdb, sys, time\n"
    "connection = duckdb.connect(sys.argv[1])\n"
    "print('held', flush=True)\n"
    "time.sleep(float(sys.argv[2]))\n"
)


class FakeTime:
    """A clock that advances only when slept on, so waits take no real time."""

    def __init__(self) -> None:
        self.now = 0.0

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def test_a_run_waiting_past_its_bound_fails_naming_the_holder(tmp_path, caplog):
    warehouse = tmp_path / "warehouse.duckdb"
    log = logging.getLogger("test.run_lock")
    held = acquire_run_lock(warehouse, "run first", timeout_s=1, log=log)
    fake = FakeTime()
    try:
        with caplog.at_level(logging.INFO), pytest.raises(WarehouseBusyError, match="run first"):
            acquire_run_lock(
                warehouse, "run second", timeout_s=30, log=log, clock=fake.clock, sleep=fake.sleep
            )
    finally:
        held.release()
    waits = [r.message for r in caplog.records if "held by run first" in r.message]
    assert 3 <= len(waits) <= 12, "a backoff, not a busy loop"
    assert fake.now == pytest.approx(30)


def test_a_released_warehouse_is_taken_by_the_next_run(tmp_path):
    warehouse = tmp_path / "warehouse.duckdb"
    log = logging.getLogger("test.run_lock")
    acquire_run_lock(warehouse, "run first", timeout_s=1, log=log).release()
    second = acquire_run_lock(warehouse, "run second", timeout_s=0, log=log)
    second.release()


def hold_duckdb(path, seconds: float) -> subprocess.Popen:
    process = subprocess.Popen(
        [sys.executable, "-c", HOLD_DUCKDB, str(path), str(seconds)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout.readline().strip() == "held"
    return process


def test_connect_waits_for_another_processs_duckdb_lock(tmp_path):
    warehouse = tmp_path / "warehouse.duckdb"
    holder = hold_duckdb(warehouse, 2)
    try:
        with WarehouseResource(path=str(warehouse)).connect() as connection:
            assert connection.execute("select 1").fetchone() == (1,)
    finally:
        holder.kill()
        holder.wait()


def test_connect_gives_up_on_duckdbs_lock_after_its_bound(tmp_path):
    warehouse = tmp_path / "warehouse.duckdb"
    holder = hold_duckdb(warehouse, 60)
    try:
        resource = WarehouseResource(path=str(warehouse), file_lock_timeout_s=0.5)
        with pytest.raises(duckdb.IOException, match="lock"), resource.connect():
            pass
    finally:
        holder.kill()
        holder.wait()


def test_a_run_holds_the_warehouse_and_lets_go_when_it_finishes(tmp_path):
    warehouse = tmp_path / "warehouse.duckdb"
    log = logging.getLogger("test.run_lock")
    seen_during_run = []

    @dg.op
    def try_to_take_it(warehouse: WarehouseResource) -> None:
        try:
            acquire_run_lock(warehouse.path, "intruder", timeout_s=0, log=log).release()
            seen_during_run.append("free")
        except WarehouseBusyError:
            seen_during_run.append("held")

    @dg.job(resource_defs={"warehouse": WarehouseResource(path=str(warehouse))})
    def one_step():
        try_to_take_it()

    with dg.instance_for_test() as instance:
        assert one_step.execute_in_process(instance=instance).success
        acquire_run_lock(warehouse, "next run", timeout_s=10, log=log).release()
    assert seen_during_run == ["held"]
