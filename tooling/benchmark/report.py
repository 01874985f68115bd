"""The figures as a plain-text table a person reads at the end of `make bench`."""

from __future__ import annotations

from collections.abc import Sequence

from tooling.benchmark.figures import Figure, FigureResult, Row, Status

VERDICTS = {Status.MET: "target met", Status.MISSED: "TARGET MISSED", Status.ERROR: "NOT MEASURED"}


def format_value(value: float | int | str) -> str:
    if isinstance(value, str):
        return str(value)
    if isinstance(value, int):
        return f"{value:,}"
    return f"{value:,.3f}" if abs(value) < 1 else f"{value:,.2f}"


def format_rows(rows: Sequence[Row]) -> list[str]:
    if not rows:
        return []
    values = [format_value(row.value) for row in rows]
    name_width = max(len(row.name) for row in rows)
    # Numbers line up on the right; a long text value just follows its name.
    numbers = [v for v, r in zip(values, rows, strict=True) if not isinstance(r.value, str)]
    value_width = max((len(v) for v in numbers), default=0)
    lines = []
    for row, value in zip(rows, values, strict=True):
        shown = value if isinstance(row.value, str) else value.rjust(value_width)
        lines.append(f"  {row.name:<{name_width}}  {shown}  {row.unit}".rstrip())
    return lines


def format_figure(figure: Figure, result: FigureResult) -> str:
    lines = [f"{figure.name}: {figure.title}", *format_rows(result.rows)]
    verdict = VERDICTS[result.status]
    lines.append(f"  => {verdict}" + (f": {result.message}" if result.message else ""))
    return "\n".join(lines)


def format_report(results: Sequence[tuple[Figure, FigureResult]]) -> str:
    return "\n\n".join(format_figure(figure, result) for figure, result in results)


def exit_status(results: Sequence[tuple[Figure, FigureResult]]) -> int:
    """0 when every figure met its target; else the worst status (1 missed, 2 not measured)."""
    return max((int(result.status) for _, result in results), default=0)


def format_results(results: Sequence[tuple[Figure, FigureResult]], scale: float) -> str:
    """One line per number of results.json, the number last, so a script can `awk $NF`."""
    lines = [f"{'scale':<34} {scale:g}"]
    for _, result in results:
        lines += [f"{key:<34} {value}" for key, value in result.results.items()]
    return "\n".join(lines)
