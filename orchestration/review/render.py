"""A review packet as the stewards read it: Markdown tables for the Dagster UI, one HTML page.

The page is rendered by Jinja2 with autoescaping on, so a source text such as
`<script>...` is shown as text; it is self-contained (no external stylesheet, script or
image), for a steward to open from the shared folder.
"""

from __future__ import annotations

import html

from jinja2 import Environment

from orchestration.review.packet import ReviewPacket

NOT_APPLICABLE = "does not apply to this source"


def _cell(value: object) -> str:
    """A Markdown table cell: HTML escaped, pipes and line breaks made harmless."""
    text = "" if value is None else str(value)
    return html.escape(" ".join(text.split())).replace("|", "\\|")


def _table(headers: list[str], rows: list[list[object]], empty: str) -> str:
    if not rows:
        return empty
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(_cell(value) for value in row) + " |" for row in rows]
    return "\n".join(lines)


def sections(packet: ReviewPacket) -> dict[str, tuple[list[str], list[list[object]] | None]]:
    """Each section's column headers and rows (None: the section does not apply)."""
    plan = packet.changes.plan
    return {
        "Rows by fate": (
            ["fate", "rule or reason", "rows"],
            [[row.fate, row.reason, row.rows] for row in packet.fates],
        ),
        "New codes": (
            ["field", "code", "source text", "rows", "fates"],
            None
            if packet.new_codes is None
            else [
                [
                    c.field,
                    c.code,
                    c.source_text,
                    c.rows,
                    ", ".join(f"{k} {v}" for k, v in c.fates.items()),
                ]
                for c in packet.new_codes
            ],
        ),
        "Candidate misspellings": (
            [
                "field",
                "code",
                "source text",
                "rows",
                "canonical text",
                "score",
                "close to",
                "score",
            ],
            None
            if packet.misspellings is None
            else [
                [
                    m.field,
                    m.code,
                    m.source_text,
                    m.rows,
                    m.canonical_text,
                    m.score,
                    f"{m.closest_code} {m.closest_text}" if m.closest_code else None,
                    m.closest_score,
                ]
                for m in packet.misspellings
            ],
        ),
        "Suspected duplicate events": (
            ["item", "resembles item", "type", "block", "seconds apart"],
            None
            if packet.duplicates is None
            else [
                [
                    d.nopd_item,
                    d.suspected_duplicate_of,
                    d.type_code,
                    d.block_address,
                    d.seconds_apart,
                ]
                for d in packet.duplicates
            ],
        ),
        "Volume": (
            ["day", "rows"],
            [[packet.day.isoformat(), packet.volume.rows]]
            + [[d.isoformat(), n] for d, n in packet.volume.history],
        ),
        "Changes since the last publish": (
            ["change", "rows", "first row identifiers"],
            [
                [action, count, ", ".join(packet.changes.row_ids.get(action, ()))]
                for action, count in (
                    ("create", plan.creates),
                    ("update", plan.updates),
                    ("delete", plan.deletes),
                    ("unchanged", plan.unchanged),
                    ("held (still settling)", plan.held),
                )
            ],
        ),
    }


def notes(packet: ReviewPacket) -> dict[str, str]:
    """A line under a section's heading, where it needs one."""
    return {
        "Volume": packet.volume.describe(),
        "Changes since the last publish": (
            f"Release fingerprint {packet.changes.fingerprint}: an approval naming it "
            "releases exactly these changes."
        ),
    }


def markdown_sections(packet: ReviewPacket) -> dict[str, str]:
    """Each section as a Markdown table (or a sentence when it is empty or does not apply)."""
    shown = {}
    for title, (headers, rows) in sections(packet).items():
        body = NOT_APPLICABLE if rows is None else _table(headers, rows, "none")
        note = notes(packet).get(title)
        shown[title] = f"{_cell(note)}\n\n{body}" if note else body
    return shown


PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Review packet: {{ packet.dataset }} {{ packet.day }}</title>
<style>
body { font-family: sans-serif; margin: 2em; }
table { border-collapse: collapse; margin-bottom: 1em; }
th, td { border: 1px solid #999; padding: 0.2em 0.5em; text-align: left; }
.internal { color: #900; font-weight: bold; }
</style>
</head>
<body>
<h1>Review packet: {{ packet.dataset }}, {{ packet.day }}</h1>
<p class="internal">Internal: this page holds source texts as the city's systems sent them.
It is for data stewards and is never published.</p>
<p>Release fingerprint: <code>{{ packet.changes.fingerprint }}</code></p>
{% for title, (headers, rows) in sections.items() %}
<h2>{{ title }}</h2>
{% if notes.get(title) %}<p>{{ notes[title] }}</p>{% endif %}
{% if rows is none %}<p>{{ not_applicable }}</p>
{% elif not rows %}<p>none</p>
{% else %}
<table>
<tr>{% for header in headers %}<th>{{ header }}</th>{% endfor %}</tr>
{% for row in rows %}<tr>
{% for value in row %}<td>{{ "" if value is none else value }}</td>{% endfor %}
</tr>{% endfor %}
</table>
{% endif %}
{% endfor %}
</body>
</html>
"""


def html_page(packet: ReviewPacket) -> str:
    """The packet as one self-contained HTML page, every value escaped."""
    template = Environment(autoescape=True).from_string(PAGE)
    return template.render(
        packet=packet,
        sections=sections(packet),
        notes=notes(packet),
        not_applicable=NOT_APPLICABLE,
    )
