"""A batch of drawn call rows as the export's text columns (an Arrow table, nulls where empty).

Why a separate step: draws are per day (for determinism), text is per batch of days (for
speed), and formatting is a pure function of the drawn codes, so batching cannot change a
byte. Forms follow the OPCD export: floating local timestamps with milliseconds, ``A0011722``
item numbers, six-decimal coordinates, UTC ``:updated_at`` like a Socrata system field.
"""

from __future__ import annotations

import string
from functools import cache

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from orchestration.generator.call_people import TEMPLATES, births, names, phones
from orchestration.generator.call_places import NUMBERED
from orchestration.generator.call_tables import CallTables
from orchestration.generator.clock import utc_seconds
from orchestration.generator.text import (
    constant,
    decimals,
    digits,
    from_matrix,
    scatter,
    timestamp_matrix,
    vocabulary_take,
)

MONTH_LETTERS = "ABCDEFGHIJKL"
Arrays = dict[str, np.ndarray]


@cache
def _vocabularies(tables: CallTables) -> dict[str, pa.Array]:
    types, places = tables.types, tables.places
    return {
        "codes": pa.array(types.codes),
        "texts": pa.array(types.texts),
        "priorities": pa.array(types.priorities),
        "dispositions": pa.array(types.dispositions),
        "disposition_texts": pa.array(types.disposition_texts),
        "beats": pa.array(places.beats),
        "zips": pa.array(places.zips),
        "districts": pa.array(places.districts),
        "streets": pa.array(places.streets),
        "place_names": pa.array(places.names),
        "names": pa.array(names()),
        "phones": pa.array(phones()),
        "births": pa.array(births()),
        "yes_no": pa.array(["N", "Y"]),
        "meridiem": pa.array(["AM", "PM"]),
    }


def render(tables: CallTables, rows: Arrays, year: int, month: int) -> dict[str, pa.Array]:
    """Text columns of rows created in one month, keyed by export field."""
    v = _vocabularies(tables)
    n = len(rows["item"])
    has_closed = rows["has_closed"]
    disposition = np.where(has_closed, rows["disposition"], -1)
    address = _addresses(v, rows)
    caller = vocabulary_take(v["names"], rows["caller"])
    phone = vocabulary_take(v["phones"], rows["phone"])
    return {
        "nopd_item": _items(rows["item"], year, month),
        "type": vocabulary_take(v["codes"], rows["type"]),
        "typetext": vocabulary_take(v["texts"], rows["typetext"]),
        "priority": vocabulary_take(v["priorities"], rows["priority"]),
        "initialtype": vocabulary_take(v["codes"], rows["initialtype"]),
        "initialtypetext": vocabulary_take(v["texts"], rows["initialtypetext"]),
        "initialpriority": vocabulary_take(v["priorities"], rows["initialpriority"]),
        "timecreate": _created(v, rows),
        "timedispatch": _floating(rows["dispatch"], rows["has_dispatch"]),
        "timearrive": _floating(rows["arrive"], rows["has_arrive"]),
        "timeclosed": _floating(rows["closed"], has_closed),
        "disposition": vocabulary_take(v["dispositions"], disposition),
        "dispositiontext": vocabulary_take(v["disposition_texts"], disposition),
        "selfinitiated": vocabulary_take(v["yes_no"], rows["selfinitiated"].astype(np.int64)),
        "beat": vocabulary_take(v["beats"], rows["beat"]),
        "address": address,
        "zip": vocabulary_take(v["zips"], rows["zip"]),
        "policedistrict": vocabulary_take(v["districts"], rows["district"]),
        "latitude": decimals(rows["latitude"], 6, width=2),
        "longitude": decimals(rows["longitude"], 6, width=2),
        "caller_name": caller,
        "caller_phone": phone,
        "narrative": _narratives(v, rows, address, caller, phone, n),
        ":updated_at": _system(utc_seconds(rows["updated"], year)),
    }


def _items(item: np.ndarray, year: int, month: int) -> pa.Array:
    """``A0011722``: month letter, 5-digit sequence within the month, 2-digit year."""
    n = len(item)
    return from_matrix(
        [constant(MONTH_LETTERS[month - 1], n), digits(np.maximum(item, 0), 5),
         constant(f"{year % 100:02d}", n)],
        item >= 0,
    )  # fmt: skip


def _floating(seconds: np.ndarray, valid: np.ndarray | None = None) -> pa.Array:
    """Socrata floating-timestamp text, e.g. ``2022-01-01T01:07:00.000``."""
    matrix = timestamp_matrix(seconds)
    return from_matrix([matrix, constant(".000", len(seconds))], valid)


def _system(seconds: np.ndarray) -> pa.Array:
    """Socrata system-field text in UTC, e.g. ``2022-01-01T07:10:00.000Z``."""
    return from_matrix([timestamp_matrix(seconds), constant(".000Z", len(seconds))])


def _created(v: dict[str, pa.Array], rows: Arrays) -> pa.Array:
    """Creation times, with the hand-garbled ones a text filter still places on their day.

    Two shapes: impossible clock fields, and a 12-hour clock pasted into the ISO form.
    """
    text = _floating(rows["created"])
    garbled = np.flatnonzero(rows["garbled"])
    if not len(garbled):
        return text
    seconds = rows["created"][garbled]
    day = pc.utf8_slice_codeunits(text.take(pa.array(garbled)), 0, 10)
    hour, minute = seconds // 3600 % 24, seconds // 60 % 60
    impossible = pc.binary_join_element_wise(
        day, "T24:", pc.cast(pa.array(rows["garble_minute"][garbled]), pa.string()), ":00.000", ""
    )
    twelve = pc.binary_join_element_wise(
        day, "T", pc.cast(pa.array(np.where(hour % 12 == 0, 12, hour % 12)), pa.string()), ":",
        pc.utf8_lpad(pc.cast(pa.array(minute), pa.string()), 2, "0"), " ",
        vocabulary_take(v["meridiem"], (hour >= 12).astype(np.int64)), "",
    )  # fmt: skip
    shaped = pc.if_else(pa.array(rows["garble_shape"][garbled]), impossible, twelve)
    mask = pa.array(rows["garbled"])
    return pc.if_else(mask, scatter(len(text), [(garbled, shaped)]), text)


def _addresses(v: dict[str, pa.Array], rows: Arrays) -> pa.Array:
    """``3021 Oliver White Ave`` for numbered places, else the intersection or highway name."""
    numbered = rows["place_kind"] == NUMBERED
    at_number = np.flatnonzero(numbered)
    named = np.flatnonzero(~numbered)
    house = pc.binary_join_element_wise(
        pc.cast(pa.array(rows["place_number"][at_number]), pa.string()),
        vocabulary_take(v["streets"], rows["place_street"][at_number]),
        " ",
    )
    point = vocabulary_take(v["place_names"], rows["place_name"][named])
    return scatter(len(numbered), [(at_number, house), (named, point)])


def _narratives(
    v: dict[str, pa.Array],
    rows: Arrays,
    address: pa.Array,
    caller: pa.Array,
    phone: pa.Array,
    n: int,
) -> pa.Array:
    """Call-taker and officer notes, one template at a time; capitals stay capitals."""
    pieces = []
    for number, template in enumerate(TEMPLATES):
        at = np.flatnonzero(rows["template"] == number)
        if not len(at):
            continue
        taken = pa.array(at)
        what = vocabulary_take(v["texts"], rows["what"][at])
        fields = {
            "caller": pc.fill_null(caller.take(taken), "RP"),
            "subject": vocabulary_take(v["names"], rows["subject"][at]),
            "phone": pc.fill_null(phone.take(taken), "UNK"),
            "address": address.take(taken),
            "what": what,
            "what_lower": pc.utf8_lower(what),
            "dob": vocabulary_take(v["births"], rows["birth"][at]),
        }
        parts: list[pa.Array | str] = []
        for literal, field, _, _ in string.Formatter().parse(template):
            if literal:
                parts.append(literal)
            if field:
                parts.append(fields[field])
        note = pc.binary_join_element_wise(*parts, "")
        if _shouted(template):
            note = pc.utf8_upper(note)
        pieces.append((at, note))
    return scatter(n, pieces)


@cache
def _shouted(template: str) -> bool:
    """Notes typed in capitals are written out in capitals, names and address included."""
    literal = "".join(text for text, _, _, _ in string.Formatter().parse(template))
    return literal.isupper()
