"""`make bench`'s first figure, run by the same code on a tiny span: the figures are produced
and agree with the warehouse. Nothing here asserts on a timing: the target is judged by
`civic-bench` (a ratio of two timings of one run), never by a timed test.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from orchestration.catalog import PUBLISHED_DATASETS, SOURCES
from tooling.benchmark import cli
from tooling.benchmark.context import BenchContext
from tooling.benchmark.contracts_vs_dbt import NAME, compare
from tooling.benchmark.figures import Figure, FigureResult, Row, Status, select
from tooling.benchmark.report import exit_status, format_report
from tooling.benchmark.span import count_raw_rows

TINY_ROWS = 3_000


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[BenchContext, FigureResult]:
    context = BenchContext(tmp_path_factory.mktemp("bench"), rows=TINY_ROWS, progress=False)
    [(figure, result)] = cli.run_figures(select([NAME]), context)
    assert figure.name == NAME
    return context, result


def values(result: FigureResult) -> dict[str, float | int | str]:
    return {row.name.strip(): row.value for row in result.rows}


@pytest.mark.integration
def test_the_figure_is_measured(tiny_run):
    _, result = tiny_run
    assert result.status in (Status.MET, Status.MISSED), result.message
    figures = values(result)
    assert figures["dbt build"] > 0
    assert figures["all contracts"] > 0
    assert 0 < figures["of which verifying"] <= figures["all contracts"]
    assert figures["peak RSS, dbt build"] > 0
    assert figures["peak RSS, contracts"] > 0


@pytest.mark.integration
def test_rows_in_the_span_are_the_rows_in_the_raw_tables(tiny_run):
    context, result = tiny_run
    figures = values(result)
    in_raw = count_raw_rows(context.work_dir / "warehouse.duckdb")
    assert figures["raw rows in the span"] == sum(in_raw.values()) > 0
    for source in SOURCES:
        assert figures[source.name] == in_raw[source.name]
    # Sized in whole days from the pilot weeks: about the rows asked for.
    assert TINY_ROWS / 2 < figures["raw rows in the span"] < TINY_ROWS * 2


@pytest.mark.integration
def test_every_published_contract_runs_and_the_ratio_is_of_the_two_timings(tiny_run):
    _, result = tiny_run
    figures = values(result)
    for dataset in PUBLISHED_DATASETS:
        assert figures[f"{dataset.name} contract"] > 0
    assert "passed" in figures["contract checks"]
    _, ratio = compare(figures["all contracts"], figures["dbt build"])
    assert figures["contracts / dbt build"] == pytest.approx(ratio, rel=0.01)


def test_the_target_is_met_only_when_the_contracts_take_less_time():
    assert compare(1.0, 2.0) == (Status.MET, 0.5)
    assert compare(3.0, 2.0) == (Status.MISSED, 1.5)
    assert compare(2.0, 2.0)[0] is Status.MISSED
    with pytest.raises(ValueError):
        compare(0.0, 2.0)


def fixed(status: Status, message: str = "") -> Figure:
    result = FigureResult((Row("answer", 42, "units"),), status, message)
    return Figure(f"fixed_{status.name.lower()}", "a figure of a test", lambda context: result)


def test_the_exit_status_is_the_worst_verdict():
    def results(*statuses: Status):
        return [(fixed(status), fixed(status).measure(None)) for status in statuses]

    assert exit_status(results(Status.MET)) == 0
    assert exit_status(results(Status.MET, Status.MISSED)) == 1
    assert exit_status(results(Status.MISSED, Status.ERROR, Status.MET)) == 2


def test_the_command_prints_the_table_and_fails_when_a_target_is_missed(
    monkeypatch, capsys, tmp_path: Path
):
    missed = fixed(Status.MISSED, "slower than its baseline")
    monkeypatch.setattr(cli, "registered_figures", lambda: (missed,))
    monkeypatch.setattr(cli, "select", lambda names: (missed,))
    results = tmp_path / "results.json"
    assert cli.main(["--work-dir", str(tmp_path), "--quiet", "--results", str(results)]) == 1
    out = capsys.readouterr().out
    assert "fixed_missed: a figure of a test" in out
    assert "answer" in out and "42" in out
    assert "TARGET MISSED: slower than its baseline" in out
    written = json.loads(results.read_text())
    assert written["scale"] == 1.0
    assert written["verdicts"]["fixed_missed"]["status"] == "missed"


def test_an_unknown_figure_is_refused(capsys):
    assert cli.main(["--only", "no_such_figure"]) == 2
    assert "unknown figure no_such_figure" in capsys.readouterr().err


def test_the_report_reads_as_a_table():
    table = format_report([(fixed(Status.MET), fixed(Status.MET).measure(None))])
    assert table.splitlines() == [
        "fixed_met: a figure of a test",
        "  answer  42  units",
        "  => target met",
    ]
