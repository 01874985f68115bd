"""One day's calls drawn as arrays: when, what type, how urgent, how it went, where, who called.

Every draw of a day comes from one generator seeded by (seed, day, scale), in a fixed order,
so a day's calls are the same whichever span asks for them; the arithmetic on those draws is
done for a month of days at once. Values are codes into the
``call_tables`` vocabularies; times are naive local epoch seconds on the wall clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

import numpy as np

from tooling.generator import defects
from tooling.generator.call_people import draw_people
from tooling.generator.call_places import draw_places
from tooling.generator.call_tables import CallTables, TypeTables
from tooling.generator.clock import epoch_seconds, export_ticks, hour_weights, on_wall_clocks
from tooling.generator.draws import Choice, Uniforms, by_key, positions, seeded

Arrays = dict[str, np.ndarray]
UNIFORM_ROWS = 54  # decisions a call needs; ``Uniforms`` refuses to hand out more


@dataclass(frozen=True)
class DayPlan:
    """A day's place in the export: its calls take item numbers ``first`` onward."""

    day: date
    first: int
    calls: int
    seed: str  # names the day's generator


def draw_calls(tables: CallTables, plans: list[DayPlan]) -> tuple[Arrays, Uniforms]:
    """The calls of consecutive days of one month, in creation order (item ``-1``: lost),
    and the uniforms left for their export versions.

    Per day, from the day's own generator: creation times, the rare faults' positions, then
    ``UNIFORM_ROWS`` uniforms per call. Every other decision is made for all days at once from
    those uniforms, so each call still depends only on its day.
    """
    days = [_day(tables, plan) for plan in plans]
    u = Uniforms(np.concatenate([day.pop("uniforms") for day in days], axis=1))
    out: Arrays = {key: np.concatenate([day[key] for day in days]) for key in days[0]}
    year = plans[0].day.year
    out["garble_shape"] = u() < 0.5
    out["garble_minute"] = 60 + (u() * 40).astype(np.int64)
    # The new CAD took over on 2022-09-24; a few old-style rows kept coming after it.
    old_style = u() < tables.rates["old_cad_share_after_cutover"]
    era = (out["new_cad"] & ~old_style).astype(np.int64)
    out |= _types(tables.types, tables.rates, u, era, out["test"])
    types = tables.types
    selfinitiated = u() < types.selfinitiated_share[out["type"]]
    out["selfinitiated"] = selfinitiated
    out["what"] = types.text_of[out["type"]]  # what notes say: the canonical final text
    out["disposition"] = types.disposition.pick(u(), out["type"])
    level = types.level[out["priority"]]
    out |= _timeline(tables, u, out["created"], level, selfinitiated, year)
    out |= draw_places(u, tables.places, tables.rates)
    out |= draw_people(u, selfinitiated)
    variant = types.misspelling.pick(u(), out["type"])
    misspelled = (u() < defects.MISSPELLED_SHARE) & (variant >= 0)
    out["misspelled"] = misspelled
    out["typetext"] = np.where(misspelled, variant, types.text_of[out["type"]])
    same = out["initialtype"] == out["type"]
    out["initialtypetext"] = np.where(misspelled & same, variant, types.text_of[out["initialtype"]])
    return out, u


def _day(tables: CallTables, plan: DayPlan) -> Arrays:
    """What must be drawn day by day: creation times, rare-fault positions, the uniforms."""
    rng, n, day = seeded(plan.seed), plan.calls, plan.day
    hours = Choice([weight for _, weight in hour_weights(day, tuple(tables.hourly))])
    seconds = (hours.pick(rng.random(n)) + rng.random(n)) * 3600
    created = np.sort(epoch_seconds_of(day) + seconds.astype(np.int64))
    missing, broken, test = (
        positions(rng, defects.daily_quota(n, share, day, fault), n)
        for fault, share in (
            ("missing_id", defects.MISSING_ID_SHARE),
            ("bad_timestamp", defects.BAD_TIMESTAMP_SHARE),
            ("test_calls", tables.rates["test_call_share"]),
        )
    )
    return {
        "item": np.where(missing, -1, plan.first + np.arange(n)),
        "created": created,
        "garbled": broken,
        "test": test,
        "new_cad": np.full(n, np.datetime64(day, "D") >= tables.new_cad_start),
        "uniforms": rng.random((UNIFORM_ROWS, n), dtype=np.float32),
    }


def epoch_seconds_of(day: date) -> int:
    """Local midnight of ``day`` in naive epoch seconds."""
    return epoch_seconds(datetime.combine(day, time()))


def _types(
    types: TypeTables, rates: dict[str, float], u: Uniforms, era: np.ndarray, test: np.ndarray
) -> Arrays:
    """Final and initial type and priorities; juvenile and test calls as the faults say."""
    u_final, u_juvenile = u(), u()
    final = _per_era(types.final, types.final_values, u_final, era)
    initial = types.initial.pick(u(), final)
    juvenile = ~test & (u() < defects.JUVENILE_SHARE)
    juvenile_type = np.zeros(len(era), dtype=np.int64)
    juvenile_type[juvenile] = _per_era(
        types.juvenile, types.juvenile_values, u_juvenile[juvenile], era[juvenile]
    )
    initial_only = juvenile & (u() < defects.JUVENILE_INITIAL_ONLY_SHARE)
    final = np.where(juvenile, juvenile_type, final)
    initial = np.where(juvenile, juvenile_type, initial)
    final = np.where(initial_only, types.juvenile_reclassified[juvenile_type], final)
    final = np.where(test, types.test[era], final)
    initial = np.where(test, final, initial)

    priority = types.priority.pick(u(), final)
    same_priority = (initial == final) & (u() < rates["same_priority_share"])
    drawn = types.initial_priority.pick(u(), initial)
    initial_priority = np.where(same_priority | (drawn < 0), priority, drawn)
    return {
        "type": final,
        "initialtype": initial,
        "priority": priority,
        "initialpriority": initial_priority,
        "juvenile": juvenile,
        "juvenile_initial_only": initial_only,
    }


def _per_era(
    choices: tuple[Choice, Choice], values: tuple[np.ndarray, np.ndarray], u, era
) -> np.ndarray:
    """A type index per row from its era's choice."""
    return by_key(u, era, {k: lambda w, k=k: values[k][choices[k].pick(w)] for k in (0, 1)}).astype(
        np.int64
    )


def _timeline(
    tables: CallTables,
    u: Uniforms,
    created: np.ndarray,
    level: np.ndarray,
    selfinitiated: np.ndarray,
    year: int,
) -> Arrays:
    """Dispatch, arrival and close times, drawn from the real gaps between them.

    Officers who start a call on scene arrive at its creation and are rarely dispatched; when
    they are, the dispatch entry comes later, which gives the real data's arrive < dispatch.
    No call closes before its dispatch or arrival (none does in the real rows either). Gaps
    are whole minutes from the tables plus the seconds the source rows had dropped.
    """
    rates, gaps = tables.rates, tables.gaps

    def gap(where: np.ndarray, table: str, group: str = "all") -> np.ndarray:
        """Seconds of a gap for the rows ``where`` (0 elsewhere)."""
        minutes = by_key(u(), where.astype(np.int64), {1: gaps[(table, group)].at})
        return (minutes * 60 + u() * 60).astype(np.int64)

    def dispatch_gap(where: np.ndarray) -> np.ndarray:
        """Create-to-dispatch seconds by priority level for the rows ``where``."""
        keys = np.where(where, level, -1)
        tables_by_level = {k: gaps[("create_to_dispatch", str(k))].at for k in (0, 1, 2)}
        minutes = by_key(u(), keys, tables_by_level)
        return (minutes * 60 + u() * 60).astype(np.int64)

    u_dispatch, u_arrive = u(), u()
    has_dispatch = np.where(
        selfinitiated,
        u_dispatch >= rates["dispatch_null_selfinitiated"],
        u_dispatch >= rates["dispatch_null_911"],
    )
    has_arrive = selfinitiated | (u_arrive >= rates["arrive_null_911"])
    called = ~selfinitiated
    to_dispatch = dispatch_gap(called)
    field_dispatch = gap(selfinitiated, "create_to_dispatch_selfinitiated")
    dispatch_to_arrive = gap(called & has_dispatch, "dispatch_to_arrive")
    undispatched_arrive = gap(called & ~has_dispatch, "create_to_arrive_undispatched")
    arrive_to_close = gap(has_arrive, "arrive_to_close")
    unattended_close = gap(~has_arrive, "last_to_close_unattended")
    open_call = u() < defects.OPEN_SHARE

    dispatch = created + np.where(selfinitiated, field_dispatch, to_dispatch)
    arrive = np.where(
        selfinitiated,
        created,
        np.where(has_dispatch, dispatch + dispatch_to_arrive, created + undispatched_arrive),
    )
    last = np.where(has_dispatch, np.maximum(dispatch, created), created)
    last = np.where(has_arrive, np.maximum(last, arrive), last)
    closed = np.where(
        has_arrive,
        np.where(has_dispatch, np.maximum(arrive, dispatch), arrive) + arrive_to_close,
        np.where(has_dispatch, dispatch, created) + unattended_close,
    )
    has_closed = ~open_call
    stamped = export_ticks(np.where(has_closed, closed, last))
    return {
        "dispatch": on_wall_clocks(dispatch, created, year),
        "has_dispatch": has_dispatch,
        "arrive": on_wall_clocks(arrive, created, year),
        "has_arrive": has_arrive,
        "closed": on_wall_clocks(closed, created, year),
        "closed_elapsed": closed,
        "has_closed": has_closed,
        "last_event": last,
        "updated": on_wall_clocks(stamped, created, year),
    }
