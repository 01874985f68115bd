"""What a run published, shown as data in the UI: the day's table and 90 days of volume.

The publish asset records, beside its counts, a small Markdown table of the window's public
rows by two of the dataset's columns (calls per district and priority, say) and a bar chart
of the public rows per day over the last 90 days, drawn as SVG and embedded in Markdown, so
the UI shows the data and its trend, not only that a run happened. Only public columns of
the mart are read: this metadata is as public as the dataset.
"""

from __future__ import annotations

import base64
from datetime import date, timedelta

import duckdb

from orchestration.catalog import PublishedDataset
from orchestration.partitions import DayWindow
from orchestration.warehouse.sql import quote_identifier

PLOT_DAYS = 90
MAX_TABLE_ROWS = 20


def day_table(
    connection: duckdb.DuckDBPyConnection, dataset: PublishedDataset, window: DayWindow
) -> str | None:
    """Rows of the window by the dataset's two summary columns, as a Markdown table."""
    if dataset.summary_dimensions is None:
        return None
    rows_by, columns_by = (quote_identifier(name) for name in dataset.summary_dimensions)
    day = quote_identifier(dataset.day_field)
    counts = connection.execute(
        f"select coalesce(cast({rows_by} as varchar), '(none)'), "
        f"coalesce(cast({columns_by} as varchar), '(none)'), count(*) "
        f"from {dataset.mart_table} where {day} >= ? and {day} < ? group by all",
        [window.start, window.end],
    ).fetchall()
    row_values = sorted({r for r, _, _ in counts})[:MAX_TABLE_ROWS]
    column_values = sorted({c for _, c, _ in counts})
    cells = {(r, c): n for r, c, n in counts}
    first, second = dataset.summary_dimensions
    lines = [
        f"| {first} \\\\ {second} | " + " | ".join(column_values) + " | total |",
        "|---" * (len(column_values) + 2) + "|",
    ]
    for r in row_values:
        values = [cells.get((r, c), 0) for c in column_values]
        lines.append(f"| {r} | " + " | ".join(f"{v:,}" for v in values) + f" | {sum(values):,} |")
    totals = [sum(cells.get((r, c), 0) for r in row_values) for c in column_values]
    lines.append("| total | " + " | ".join(f"{v:,}" for v in totals) + f" | {sum(totals):,} |")
    return "\n".join(lines)


def daily_counts(
    connection: duckdb.DuckDBPyConnection, dataset: PublishedDataset, last_day: date
) -> list[tuple[date, int]]:
    """Public rows per local day for the `PLOT_DAYS` days ending with `last_day`, zeros kept."""
    first_day = last_day - timedelta(days=PLOT_DAYS - 1)
    day = quote_identifier(dataset.day_field)
    found = dict(
        connection.execute(
            f"select cast({day} as date), count(*) from {dataset.mart_table} "
            f"where {day} >= ? and {day} < ? group by 1",
            [first_day, last_day + timedelta(days=1)],
        ).fetchall()
    )
    return [(d, found.get(d, 0)) for d in (first_day + timedelta(n) for n in range(PLOT_DAYS))]


def volume_svg(counts: list[tuple[date, int]], title: str) -> str:
    """A bar chart of daily counts: plain SVG, no plotting library needed."""
    width, height, margin = 720, 200, 30
    top = max((n for _, n in counts), default=0) or 1
    bar = (width - 2 * margin) / max(len(counts), 1)
    span = height - 2 * margin
    bars = "".join(
        f'<rect x="{margin + i * bar:.1f}" y="{height - margin - n / top * span:.1f}" '
        f'width="{max(bar - 1, 1):.1f}" height="{n / top * span:.1f}" '
        f'fill="#4f43dd"><title>{d}: {n:,}</title></rect>'
        for i, (d, n) in enumerate(counts)
    )
    first, last = (counts[0][0], counts[-1][0]) if counts else ("", "")
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'font-family="sans-serif" font-size="11">'
        f'<text x="{margin}" y="16">{title}: public rows per day (max {top:,})</text>{bars}'
        f'<text x="{margin}" y="{height - 10}">{first}</text>'
        f'<text x="{width - margin}" y="{height - 10}" text-anchor="end">{last}</text></svg>'
    )


def volume_markdown(svg: str) -> str:
    """The chart as a Markdown image the UI renders (a data URI: nothing is fetched)."""
    encoded = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    return f"![daily volume](data:image/svg+xml;base64,{encoded})"
