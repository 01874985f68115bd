"""The delta-publish and sensor-cost figures, measured at a tiny size (no timing asserted)."""

from __future__ import annotations

from tooling.benchmark import delta_publish, sensor_cost
from tooling.benchmark.context import BenchContext
from tooling.benchmark.figures import Status, registered_figures


def rows_of(result) -> dict[str, object]:
    return {row.name: row.value for row in result.rows}


def test_both_figures_are_registered():
    names = [figure.name for figure in registered_figures()]
    assert {"delta_publish", "sensor_cost"} <= set(names)


def test_a_days_change_set_sends_exactly_its_rows_and_an_unchanged_republish_none(tmp_path):
    result = delta_publish.measure(BenchContext(work_dir=tmp_path, rows=5_000, progress=False))
    figures = rows_of(result)
    assert result.status is Status.MET, result.message
    assert figures["unchanged republish"] == 0
    assert figures["dataset size"] > figures["day's change set"] > 0


def test_a_sensor_tick_requests_the_changed_days_and_nothing_when_idle(tmp_path):
    result = sensor_cost.measure(BenchContext(work_dir=tmp_path, progress=False), days=60)
    figures = rows_of(result)
    assert figures["source history"] == 60 * sensor_cost.ROWS_PER_DAY
    assert "partitions requested" in str(result.rows[3].unit)
    assert result.status in (Status.MET, Status.MISSED)
    assert "0 new runs" in next(
        row.unit for row in result.rows if row.name.startswith("tick with nothing")
    )
