"""Codes of the window that their reference table does not know yet.

A code outside its rule table is never published as it came: an unknown call type is
withheld (`withhold_unclassified_call_types`), an unknown disposition or district
quarantined. That is the safe side, but the rows vanish from the public data until someone
reviews the code into its seed. This names each new code with the text the source sent with
it (what a steward needs to write the seed row) and how many rows carried it, and how they
fared.

"New" means absent from the code's reference seed in `dbt_project/seeds/`: every coded
domain of calls for service has one (call types for the final and the initial type,
dispositions, police districts). Use of force and 311 have no reference seed for any of
their columns (their value corrections map spellings, they do not close a domain), so they
have no new-code check; their out-of-domain values (311 status and council district) are
quarantined and show in the quarantine-rate check.

Codes and texts are compared upper-cased with runs of spaces collapsed, written here apart
from the models' macros, as the quality gate's checks are.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

import duckdb

from orchestration.catalog import Source
from orchestration.partitions import DayWindow
from orchestration.warehouse.sql import quote_identifier

SHOWN_TEXT_LENGTH = 60  # the source's text for a code is shown cut to this many characters
_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f\ufffd]+")


@dataclass(frozen=True)
class CodedField:
    """A source field whose values must be codes of a reference seed."""

    field: str  # the source's field name, as the city and the quarantine reasons name it
    code_column: str  # its staging column
    text_column: str | None  # the staging column of the text the source sends with it
    seed: str  # the reference rule table (schema rules; call types as the stewards reviewed them)
    seed_column: str


CODED_FIELDS: dict[str, tuple[CodedField, ...]] = {
    "calls_for_service": (
        CodedField("type", "type_code", "type_text_reported", "call_types_reviewed", "type_code"),
        CodedField(
            "initialtype",
            "initial_type_code",
            "initial_type_text_reported",
            "call_types_reviewed",
            "type_code",
        ),
        CodedField(
            "disposition",
            "disposition_code",
            "disposition_text_reported",
            "dispositions",
            "disposition_code",
        ),
        CodedField(
            "policedistrict", "police_district", None, "police_districts", "police_district"
        ),
    ),
}


@dataclass(frozen=True)
class NewCode:
    """A code its seed does not list, as the window's rows carried it."""

    field: str
    code: str
    source_text: str | None  # the commonest text sent with it, cut and made printable
    rows: int
    fates: dict[str, int] = field(default_factory=dict)

    def describe(self) -> str:
        text = f" ({self.source_text})" if self.source_text else ""
        return f"{self.field} {self.code}{text}: {self.rows:,} row{'' if self.rows == 1 else 's'}"

    def as_metadata(self) -> dict[str, object]:
        return {
            "field": self.field,
            "code": self.code,
            "source_text": self.source_text,
            "rows": self.rows,
            "fates": self.fates,
        }


def _normalized(expression: str) -> str:
    """Upper case, runs of spaces collapsed, blank as null; a seed's numbers as text."""
    text = f"cast({expression} as varchar)"
    return f"nullif(upper(trim(regexp_replace({text}, '\\s+', ' ', 'g'))), '')"


def _shown(text: str | None) -> str | None:
    if text is None:
        return None
    text = " ".join(_UNPRINTABLE.sub(" ", text).split())
    return text[:SHOWN_TEXT_LENGTH] or None


def new_codes(
    connection: duckdb.DuckDBPyConnection,
    source: Source,
    window: DayWindow,
    fields: tuple[CodedField, ...] | None = None,
) -> list[NewCode]:
    """Every code of the window's row versions (staging, any fate) absent from its seed,
    with the fates of the rows that carried it (from the audit row fates)."""
    fields = CODED_FIELDS.get(source.name, ()) if fields is None else fields
    found: list[NewCode] = []
    for coded in fields:
        code = _normalized(quote_identifier(coded.code_column))
        text = quote_identifier(coded.text_column) if coded.text_column else "null"
        known = _normalized(quote_identifier(coded.seed_column))
        rows = connection.execute(
            f"""
            with window_rows as (
                select source_row_id, {code} as code, {text} as source_text
                from staging.stg_{source.name}
                where partition_date >= ? and partition_date < ?
            ),
            new_rows as (
                select * from window_rows
                where code is not null
                    and code not in (
                        select {known} from rules.{coded.seed} where {known} is not null
                    )
            ),
            texts as (
                select code, source_text, count(*) as uses
                from new_rows where source_text is not null group by all
            )
            select
                new_rows.code,
                fates.fate,
                count(*) as row_count,
                (select arg_max(texts.source_text, texts.uses) from texts
                 where texts.code = new_rows.code) as commonest_text
            from new_rows
            left join {source.row_fates_table} as fates
                on fates.source_row_id = new_rows.source_row_id
            group by all
            order by all
            """,
            [window.start, window.end],
        ).fetchall()
        by_code: dict[str, Counter[str]] = {}
        texts: dict[str, str | None] = {}
        for value, fate, count, commonest in rows:
            by_code.setdefault(value, Counter())[fate or "no fate"] += count
            texts[value] = commonest
        found += [
            NewCode(coded.field, value, _shown(texts[value]), sum(fates.values()), dict(fates))
            for value, fates in by_code.items()
        ]
    return found
