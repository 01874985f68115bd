"""One day's calls drawn as arrays: when, what type, how urgent, how it went, where, who called.

Every draw of a day comes from one generator seeded by (seed, day, scale), in a fixed order,
so a day's calls are the same whichever span asks for them. Values are codes into the
``call_tables`` vocabularies; times are naive local epoch seconds on the wall clock.
"""

from __future__ import annotations

from datetime import date, datetime, time

import numpy as np

from orchestration.generator import defects
from orchestration.generator.call_people import draw_people
from orchestration.generator.call_places import draw_places
from orchestration.generator.call_tables import CallTables, TypeTables
from orchestration.generator.clock import epoch_seconds, export_ticks, hour_weights, on_wall_clocks
from orchestration.generator.draws import Choice, Rng, positions

Arrays = dict[str, np.ndarray]


def draw_calls(tables: CallTables, rng: Rng, day: date, first: int, calls: int) -> Arrays:
    """The day's calls in creation order; item ``first`` onward (``-1``: lost its number)."""
    n = calls
    hours = Choice([weight for _, weight in hour_weights(day, tuple(tables.hourly))])
    midnight = epoch_seconds_of(day)
    created = np.sort(midnight + ((hours.draw(rng, n) + rng.random(n)) * 3600).astype(np.int64))
    missing, broken, test = (
        positions(rng, defects.daily_quota(n, share, day, fault), n)
        for fault, share in (
            ("missing_id", defects.MISSING_ID_SHARE),
            ("bad_timestamp", defects.BAD_TIMESTAMP_SHARE),
            ("test_calls", tables.rates["test_call_share"]),
        )
    )
    # The new CAD took over on 2022-09-24; a few old-style rows kept coming after it.
    new_cad = np.datetime64(day, "D") >= tables.new_cad_start
    era = ((rng.random(n) >= tables.rates["old_cad_share_after_cutover"]) & new_cad).astype(int)
    out: Arrays = {
        "item": np.where(missing, -1, first + np.arange(n)),
        "created": created,
        "garbled": broken,
        "garble_shape": rng.random(n) < 0.5,
        "garble_minute": 60 + (rng.random(n) * 40).astype(np.int64),
        "test": test,
        **_types(tables.types, tables.rates, rng, era, test),
    }
    types = tables.types
    selfinitiated = rng.random(n) < types.selfinitiated_share[out["type"]]
    out["selfinitiated"] = selfinitiated
    out["what"] = types.text_of[out["type"]]  # what notes say: the canonical final text
    out["disposition"] = types.disposition.draw(rng, out["type"])
    out |= _timeline(tables, rng, created, types.level[out["priority"]], selfinitiated, day.year)
    out |= draw_places(rng, tables.places, tables.rates, n)
    out |= draw_people(rng, selfinitiated)
    variant = types.misspelling.draw(rng, out["type"])
    misspelled = (rng.random(n) < defects.MISSPELLED_SHARE) & (variant >= 0)
    out["misspelled"] = misspelled
    out["typetext"] = np.where(misspelled, variant, types.text_of[out["type"]])
    same = out["initialtype"] == out["type"]
    out["initialtypetext"] = np.where(misspelled & same, variant, types.text_of[out["initialtype"]])
    return out


def epoch_seconds_of(day: date) -> int:
    """Local midnight of ``day`` in naive epoch seconds."""
    return epoch_seconds(datetime.combine(day, time()))


def _types(types: TypeTables, rates: dict[str, float], rng: Rng, era: np.ndarray, test) -> Arrays:
    """Final and initial type and priorities; juvenile and test calls as the faults say."""
    n = len(era)
    final = np.where(
        era == 1,
        types.final_values[1][types.final[1].draw(rng, n)],
        types.final_values[0][types.final[0].draw(rng, n)],
    )
    initial = types.initial.draw(rng, final)
    juvenile_type = np.where(
        era == 1,
        types.juvenile_values[1][types.juvenile[1].draw(rng, n)],
        types.juvenile_values[0][types.juvenile[0].draw(rng, n)],
    )
    juvenile = ~test & (rng.random(n) < defects.JUVENILE_SHARE)
    initial_only = juvenile & (rng.random(n) < defects.JUVENILE_INITIAL_ONLY_SHARE)
    final = np.where(juvenile, juvenile_type, final)
    initial = np.where(juvenile, juvenile_type, initial)
    final = np.where(initial_only, types.juvenile_reclassified[juvenile_type], final)
    final = np.where(test, types.test[era], final)
    initial = np.where(test, final, initial)

    priority = types.priority.draw(rng, final)
    same_priority = (initial == final) & (rng.random(n) < rates["same_priority_share"])
    drawn = types.initial_priority.draw(rng, initial)
    initial_priority = np.where(same_priority | (drawn < 0), priority, drawn)
    return {
        "type": final,
        "initialtype": initial,
        "priority": priority,
        "initialpriority": initial_priority,
        "juvenile": juvenile,
        "juvenile_initial_only": initial_only,
    }


def _timeline(
    tables: CallTables,
    rng: Rng,
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
    rates, gaps, n = tables.rates, tables.gaps, len(created)

    def gap(key: str, group: str = "all") -> np.ndarray:
        minutes = gaps[(key, group)].at(rng.random(n))
        return (minutes * 60 + rng.random(n) * 60).astype(np.int64)

    u_dispatch, u_arrive = rng.random(n), rng.random(n)
    to_dispatch = np.select(
        [level == 0, level == 1],
        [gap("create_to_dispatch", "0"), gap("create_to_dispatch", "1")],
        gap("create_to_dispatch", "2"),
    )
    field_dispatch = gap("create_to_dispatch_selfinitiated")
    dispatch_to_arrive = gap("dispatch_to_arrive")
    undispatched_arrive = gap("create_to_arrive_undispatched")
    arrive_to_close = gap("arrive_to_close")
    unattended_close = gap("last_to_close_unattended")
    open_call = rng.random(n) < defects.OPEN_SHARE

    has_dispatch = np.where(
        selfinitiated,
        u_dispatch >= rates["dispatch_null_selfinitiated"],
        u_dispatch >= rates["dispatch_null_911"],
    )
    dispatch = created + np.where(selfinitiated, field_dispatch, to_dispatch)
    has_arrive = selfinitiated | (u_arrive >= rates["arrive_null_911"])
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
