"""The rows a day's calls are exported as: once, twice identically, or an earlier version first.

A CAD row changes after its first export in three ways: it is closed later, its disposition
is corrected, or it is reclassified (the README's 36-hour reclassification window). Such a
call is exported twice, the earlier version with the earlier ``:updated_at``; a few calls are
exported twice identically. Rows without an item number stay single: a duplicate of them could
not be told apart. Each call's rows stay together, in creation order.
"""

from __future__ import annotations

import numpy as np

from tooling.generator import defects
from tooling.generator.call_tables import TypeTables
from tooling.generator.clock import export_ticks, on_wall_clocks
from tooling.generator.draws import Uniforms

CLOSED_LATER, DISPOSITION, RECLASSIFIED = 0, 1, 2
TICK = 600  # seconds between export jobs


def expand_versions(
    types: TypeTables, u: Uniforms, calls: dict[str, np.ndarray], year: int
) -> dict[str, np.ndarray]:
    """Row arrays (every call field, repeated per version) plus ``exact_duplicate``/``resent``
    flags on the call's extra row and on its final row, and ``earlier`` on earlier versions."""
    n = len(calls["item"])
    u_version, u_kind, u_hours, u_code = u(), u(), u(), u()
    numbered = calls["item"] >= 0
    duplicate = numbered & (u_version < defects.EXACT_DUPLICATE_SHARE)
    resent = (
        numbered
        & ~duplicate
        & calls["has_closed"]
        & (u_version < defects.EXACT_DUPLICATE_SHARE + defects.RESENT_SHARE)
    )
    reclassifiable = calls["type"] != calls["initialtype"]
    kind = (u_kind * np.where(reclassifiable, 3, 2)).astype(np.int64)
    first, final = _stamps(calls, kind, u_hours)
    corrected = _corrected(types, calls["disposition"], u_code)

    extra = np.flatnonzero(duplicate | resent)
    source = np.concatenate([np.arange(n), extra])
    order = np.argsort(
        np.concatenate([2 * np.arange(n) + resent, 2 * extra + ~resent[extra]]), kind="stable"
    )
    source = source[order]
    is_extra = np.concatenate([np.zeros(n, dtype=bool), np.ones(len(extra), dtype=bool)])[order]
    rows = {name: values[source] for name, values in calls.items()}
    earlier = is_extra & resent[source]
    rows["earlier"] = earlier
    rows["exact_duplicate"] = is_extra & duplicate[source]

    created = rows["created"]
    wall_first = on_wall_clocks(first[source], created, year)
    wall_final = on_wall_clocks(final[source], created, year)
    row_kind = kind[source]
    rows["updated"] = np.where(
        earlier, wall_first, np.where(resent[source], wall_final, rows["updated"])
    )
    later_close = earlier & (row_kind == CLOSED_LATER)
    rows["has_closed"] = rows["has_closed"] & ~later_close
    rows["disposition"] = np.where(
        earlier & (row_kind == DISPOSITION), corrected[source], rows["disposition"]
    )
    reclassified = earlier & (row_kind == RECLASSIFIED)
    for field, initial in (
        ("type", "initialtype"),
        ("typetext", "initialtypetext"),
        ("priority", "initialpriority"),
    ):
        rows[field] = np.where(reclassified, rows[initial], rows[field])
    return rows


def _stamps(
    calls: dict[str, np.ndarray], kind: np.ndarray, u_hours: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Elapsed times of the earlier export and of the final one, per change kind.

    A call closed later was first exported open after its last event; a corrected or
    reclassified one was first exported closed and changed 1 to 36 hours later.
    """
    closed_tick = export_ticks(calls["closed_elapsed"])
    open_tick = export_ticks(calls["last_event"])
    later = kind == CLOSED_LATER
    first = np.where(later, open_tick, closed_tick)
    hours_later = closed_tick + TICK * (6 + (u_hours * 211).astype(np.int64))
    final = np.where(later, np.maximum(closed_tick, open_tick + TICK), hours_later)
    return first, final


def _corrected(types: TypeTables, disposition: np.ndarray, u: np.ndarray) -> np.ndarray:
    """A common disposition other than the call's own, for the version before a correction."""
    options = types.corrected
    matches = disposition[:, None] == options[None, :]
    own = np.where(matches.any(axis=1), matches.argmax(axis=1), len(options))
    count = np.where(own < len(options), len(options) - 1, len(options))
    pick = (u * count).astype(np.int64)
    return options[pick + (pick >= own)]
