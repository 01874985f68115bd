"""What a publish must send: the diff of a mart against the ledger, staged in the warehouse.

The plan is a temporary table with one row per row to send, in the order it is sent:
creates, updates, then deletes, each by row identifier, numbered by `_seq`. Staging it in
DuckDB keeps a day's diff and a ten-year replace alike out of Python memory; chunks are
read from it by sequence.

A delta plan for a window of local days:
- create: in the mart's window, not in the ledger;
- update: in the mart's window, in the ledger with another content hash;
- delete: in the ledger under a day of the window, and nowhere in the mart any more
  (reclassified into a juvenile type, merged as a duplicate, voided, deleted at the source).
  A row that moved to another day stays until that day is published, which updates it.
Unchanged rows are not in the plan, and neither are rows a release policy holds back (a
`Hold`: rows still settling, orchestration/publishing/settling.py); they are counted as held,
and a later publish sends them. A withdrawal is never held.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import duckdb

from orchestration.catalog import PublishedDataset
from orchestration.partitions import DayWindow
from orchestration.publishing.ledger import LEDGER_TABLE, ensure_ledger
from orchestration.publishing.rendering import content_hash, rendered_columns
from orchestration.warehouse.sql import quote_identifier, quote_literal

PLAN_TABLE = "publish_plan"
# Temporary tables of a delta plan's making: what the ledger knows of the window's strays,
# and the ledger's rows of the window that left the mart's window.
STRAYS_TABLE = "publish_plan_strays_known"
GONE_TABLE = "publish_plan_gone"
# Strays are looked up by row identifier in IN lists of STRAY_LOOKUP_BATCH (the ledger's
# index answers a list of up to DuckDB's index_scan_max_count, 2,048, without a scan), up to
# STRAY_LOOKUP_MAX of them: days of new rows. More (a backfill) are joined in one pass.
STRAY_LOOKUP_BATCH = 2_000
STRAY_LOOKUP_MAX = 50_000


@dataclass(frozen=True)
class Hold:
    """Mart rows a publish must not send yet: an SQL condition over the mart's columns (the
    mart is aliased `_mart`) and its parameters."""

    condition: str
    parameters: tuple[Any, ...] = ()


@dataclass(frozen=True)
class PublishPlan:
    """How many rows of each kind a publish sends, and how many it leaves alone."""

    dataset_id: str
    rows_in_mart: int
    creates: int
    updates: int
    deletes: int
    held: int = 0  # new or changed mart rows a release policy holds back for a later publish
    held_by_day: dict[date, int] = field(default_factory=dict)

    @property
    def unchanged(self) -> int:
        return self.rows_in_mart - self.creates - self.updates - self.held

    @property
    def rows_to_send(self) -> int:
        return self.creates + self.updates + self.deletes

    def as_dict(self) -> dict[str, int]:
        return {
            "rows_in_mart": self.rows_in_mart,
            "creates": self.creates,
            "updates": self.updates,
            "deletes": self.deletes,
            "unchanged": self.unchanged,
            "held": self.held,
        }


def _hashed_mart(dataset: PublishedDataset, where: str, held: str = "false") -> str:
    key = quote_identifier(dataset.row_identifier)
    day = quote_identifier(dataset.day_field)
    return f"""
        select *, {content_hash(dataset)} as _hash from (
            select {", ".join(rendered_columns(dataset))},
                cast({key} as varchar) as _row_id,
                cast({day} as date) as _day,
                coalesce({held}, true) as _held
            from {dataset.mart_table} _mart
            {where}
        )
    """


def _stage(connection: duckdb.DuckDBPyConnection, body: str, parameters: list[Any]) -> None:
    connection.execute(
        f"""
        create or replace temp table {PLAN_TABLE} as
        select *, row_number() over (
            order by case _action when 'create' then 0 when 'update' then 1 else 2 end, _row_id
        ) as _seq
        from ({body})
        """,
        parameters,
    )


def _counted(
    connection: duckdb.DuckDBPyConnection,
    dataset_id: str,
    rows_in_mart: int,
    held_by_day: dict[date, int] | None = None,
) -> PublishPlan:
    counted = f"select _action, count(*) from {PLAN_TABLE} group by _action"
    counts = dict(connection.execute(counted).fetchall())
    return PublishPlan(
        dataset_id=dataset_id,
        rows_in_mart=rows_in_mart,
        creates=counts.get("create", 0),
        updates=counts.get("update", 0),
        deletes=counts.get("delete", 0),
        held=sum((held_by_day or {}).values()),
        held_by_day=dict(held_by_day or {}),
    )


def _strays_known(
    connection: duckdb.DuckDBPyConnection,
    dataset: PublishedDataset,
    window: DayWindow,
    dataset_id: str,
) -> None:
    """Stage what the ledger knows of the window's rows it holds under another day (a row
    whose day changed), and of the window's new rows (it knows nothing of them).

    Most nights those are a day's new rows, at most `STRAY_LOOKUP_MAX`: looked up through the
    ledger's row_id index, so the night never scans the history's row identifiers. A window
    with more (a backfill, a first publish) reads the ledger's rows in one pass."""
    day = quote_identifier(dataset.day_field)
    key = quote_identifier(dataset.row_identifier)
    strays = f"""
        select cast(t.{key} as varchar) as row_id from {dataset.mart_table} t
        where t.{day} >= ? and t.{day} < ?
          and not exists (
              select 1 from {LEDGER_TABLE} l
              where l.dataset_id = ? and l.day >= ? and l.day < ?
                and l.row_id = cast(t.{key} as varchar)
          )
    """
    parameters = [window.start, window.end, dataset_id, window.start, window.end]
    found = connection.execute(f"{strays} limit {STRAY_LOOKUP_MAX + 1}", parameters).fetchall()
    connection.execute(
        f"create or replace temp table {STRAYS_TABLE} (row_id varchar, content_hash varchar)"
    )
    if not found:
        return
    if len(found) <= STRAY_LOOKUP_MAX:
        ids = [row_id for (row_id,) in found]
        for first in range(0, len(ids), STRAY_LOOKUP_BATCH):
            batch = ids[first : first + STRAY_LOOKUP_BATCH]
            # DuckDB takes the index only for a scan filtered on row_id alone: the other
            # datasets' rows of the same identifiers are left out here, not in the scan.
            rows = connection.execute(
                f"select dataset_id, row_id, content_hash from {LEDGER_TABLE} "
                f"where row_id in ({', '.join('?' for _ in batch)})",
                batch,
            ).fetchall()
            known = [(row_id, content) for owner, row_id, content in rows if owner == dataset_id]
            if known:
                connection.execute(
                    f"insert into {STRAYS_TABLE} select unnest(?::varchar[]), unnest(?::varchar[])",
                    [[row_id for row_id, _ in known], [content for _, content in known]],
                )
        return
    connection.execute(
        f"insert into {STRAYS_TABLE} select row_id, content_hash from {LEDGER_TABLE} "
        f"where dataset_id = ? and row_id in ({strays})",
        [dataset_id, *parameters],
    )


def stage_delta_plan(
    connection: duckdb.DuckDBPyConnection,
    dataset: PublishedDataset,
    window: DayWindow,
    dataset_id: str,
    hold: Hold | None = None,
) -> PublishPlan:
    """Stage the rows that make the portal's window equal the mart's window, but for the new
    and changed rows `hold` keeps back (counted in the plan's `held`).

    Window-bound: it reads the mart's and the ledger's rows of the window's days, and of the
    other days only what the window's few strays need (`_strays_known`, and a withdrawal's
    look over the whole mart), so a night costs the same in year fifteen as in month one."""
    ensure_ledger(connection)
    day = quote_identifier(dataset.day_field)
    key = quote_identifier(dataset.row_identifier)
    held = hold.condition if hold else "false"
    held_parameters = list(hold.parameters) if hold else []
    in_window = f"where {day} >= ? and {day} < ?"
    _strays_known(connection, dataset, window, dataset_id)
    mart = _hashed_mart(dataset, in_window, held)
    changed = f"""
        with m as ({mart}),
        known as (
            select row_id, content_hash from {LEDGER_TABLE}
            where dataset_id = ? and day >= ? and day < ?
            union all
            select row_id, content_hash from {STRAYS_TABLE}
        )
        select case when k.row_id is null then 'create' else 'update' end as _action, m.*
        from m left join known k on k.row_id = m._row_id
        where k.row_id is null or k.content_hash <> m._hash
    """
    changed_parameters = [
        *held_parameters,
        *[window.start, window.end, dataset_id, window.start, window.end],
    ]
    held_by_day = dict(
        connection.execute(
            f"select _day, count(*) from ({changed}) where _held group by _day",
            changed_parameters,
        ).fetchall()
    )
    # A ledger row of the window that left the mart's window is withdrawn only when it is
    # nowhere in the mart. Most nights there is none, and the look over the whole mart that
    # tells a withdrawn row from one that moved to another day is not made.
    gone = f"""
        select l.row_id, l.day from {LEDGER_TABLE} l
        where l.dataset_id = ? and l.day >= ? and l.day < ?
          and not exists (
              select 1 from {dataset.mart_table} t
              {in_window} and cast(t.{key} as varchar) = l.row_id
          )
    """
    gone_parameters = [dataset_id, window.start, window.end, window.start, window.end]
    connection.execute(f"create or replace temp table {GONE_TABLE} as {gone}", gone_parameters)
    (gone_rows,) = connection.execute(f"select count(*) from {GONE_TABLE}").fetchone()
    body = f"select * exclude (_held) from ({changed}) where not _held"
    if gone_rows:
        body += f"""
            union all by name
            select 'delete' as _action, g.row_id as _row_id, g.day as _day from {GONE_TABLE} g
            where g.row_id not in (
                select cast(t.{key} as varchar) from {dataset.mart_table} t
                where cast(t.{key} as varchar) in (select row_id from {GONE_TABLE})
            )
        """
    _stage(connection, body, changed_parameters)
    (rows_in_mart,) = connection.execute(
        f"select count(*) from {dataset.mart_table} where {day} >= ? and {day} < ?",
        [window.start, window.end],
    ).fetchone()
    return _counted(connection, dataset_id, rows_in_mart, held_by_day)


def stage_full_plan(
    connection: duckdb.DuckDBPyConnection,
    dataset: PublishedDataset,
    dataset_id: str,
    hold: Hold | None = None,
) -> PublishPlan:
    """Stage every row of the mart, all to be sent afresh (a full refresh), but for the rows
    `hold` keeps back (rows still settling): a later publish of their day sends them."""
    ensure_ledger(connection)
    held = hold.condition if hold else "false"
    parameters = list(hold.parameters) if hold else []
    mart = _hashed_mart(dataset, "", held)
    _stage(
        connection,
        f"select 'create' as _action, * exclude (_held) from ({mart}) where not _held",
        parameters,
    )
    held_by_day = dict(
        connection.execute(
            f"select _day, count(*) from ({mart}) where _held group by _day", parameters
        ).fetchall()
    )
    (rows_in_mart,) = connection.execute(f"select count(*) from {dataset.mart_table}").fetchone()
    return _counted(connection, dataset_id, rows_in_mart, held_by_day)


def plan_body(
    connection: duckdb.DuckDBPyConnection, dataset: PublishedDataset, first: int, last: int
) -> bytes:
    """The upsert body (a JSON array) for plan rows `first..last`, rendered by DuckDB.

    Upserts carry every public column, nulls too: an upsert that left a field out would keep
    the portal's old value where the mart's became empty. Deletes are
    `{<row identifier>: key, ":deleted": true}`. The plan's values are already the texts the
    portal stores (`rendering.rendered_columns`), so DuckDB only quotes them; building the
    body here spares a Python dict per row and a `json.dumps` per chunk.
    """
    members = ", ".join(
        f"{quote_literal(name)}: {quote_identifier(name)}" for name in dataset.public_field_names
    )
    deleted = f"json_object({quote_literal(dataset.row_identifier)}, _row_id, ':deleted', true)"
    row = f"case when _action = 'delete' then {deleted} else to_json({{{members}}}) end"
    (body,) = connection.execute(
        f"select coalesce('[' || string_agg({row}, ',' order by _seq) || ']', '[]') "
        f"from {PLAN_TABLE} where _seq between ? and ?",
        [first, last],
    ).fetchone()
    return body.encode("utf-8")
