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

from tooling.generator.call_people import TEMPLATES, births, names, phones
from tooling.generator.call_places import NUMBERED
from tooling.generator.call_tables import CallTables
from tooling.generator.clock import utc_seconds
from tooling.generator.text import (
    arrow,
    decimals,
    digits,
    fixed_width,
    join,
    scatter,
    strings,
    timestamp,
    vocabulary_take,
)

MONTH_LETTERS = "ABCDEFGHIJKL"
Arrays = dict[str, np.ndarray]


@cache
def _vocabularies(tables: CallTables) -> dict[str, pa.Array]:
    """Every vocabulary as an Arrow array, once per process; people and type texts also in
    the cases notes need, with the notes' stand-ins last."""
    types, places = tables.types, tables.places
    lower = [text.lower() for text in types.texts]
    return {
        "names_as_typed": strings([*names(), "RP"]),
        "names_upper": strings([*(name.upper() for name in names()), "RP"]),
        "texts_as_typed": strings(types.texts),
        "texts_upper": strings([text.upper() for text in types.texts]),
        "texts_lower_as_typed": strings(lower),
        "texts_lower_upper": strings([text.upper() for text in lower]),
        "codes": strings(types.codes),
        "texts": strings(types.texts),
        "priorities": strings(types.priorities),
        "dispositions": strings(types.dispositions),
        "disposition_texts": strings(types.disposition_texts),
        "beats": strings(places.beats),
        "zips": strings(places.zips),
        "districts": strings(places.districts),
        "streets": strings(places.streets),
        "place_names": strings(places.names),
        "names": strings([*names(), "RP"]),
        "phones": strings([*phones(), "UNK"]),
        "births": strings(births()),
        "yes_no": strings(["N", "Y"]),
        "meridiem": strings(["AM", "PM"]),
    }


def render(tables: CallTables, rows: Arrays, year: int, month: int) -> dict[str, pa.Array]:
    """Text columns of rows created in one month, keyed by export field."""
    v = _vocabularies(tables)
    n = len(rows["item"])
    has_closed = rows["has_closed"]
    disposition = np.where(has_closed, rows["disposition"], -1)
    address = _addresses(v, rows)
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
        "caller_name": vocabulary_take(v["names"], rows["caller"]),
        "caller_phone": vocabulary_take(v["phones"], rows["phone"]),
        "narrative": _narratives(v, rows, address, n),
        ":updated_at": _system(utc_seconds(rows["updated"], year)),
    }


def _items(item: np.ndarray, year: int, month: int) -> pa.Array:
    """``A0011722``: month letter, 5-digit sequence within the month, 2-digit year."""
    parts = [MONTH_LETTERS[month - 1], *digits(np.maximum(item, 0), 5), f"{year % 100:02d}"]
    return fixed_width(len(item), parts, item >= 0)


def _floating(seconds: np.ndarray, valid: np.ndarray | None = None) -> pa.Array:
    """Socrata floating-timestamp text, e.g. ``2022-01-01T01:07:00.000``."""
    return fixed_width(len(seconds), [*timestamp(seconds), ".000"], valid)


def _system(seconds: np.ndarray) -> pa.Array:
    """Socrata system-field text in UTC, e.g. ``2022-01-01T07:10:00.000Z``."""
    return fixed_width(len(seconds), [*timestamp(seconds), ".000Z"])


def _created(v: dict[str, pa.Array], rows: Arrays) -> pa.Array:
    """Creation times, with the hand-garbled ones a text filter still places on their day.

    Two shapes: impossible clock fields, and a 12-hour clock pasted into the ISO form.
    """
    text = _floating(rows["created"])
    garbled = np.flatnonzero(rows["garbled"])
    if not len(garbled):
        return text
    seconds = rows["created"][garbled]
    day = pc.utf8_slice_codeunits(text.take(arrow(garbled)), 0, 10)
    hour, minute = seconds // 3600 % 24, seconds // 60 % 60
    impossible = join(
        day, "T24:", pc.cast(arrow(rows["garble_minute"][garbled]), pa.string()), ":00.000"
    )
    twelve = join(
        day, "T", pc.cast(arrow(np.where(hour % 12 == 0, 12, hour % 12)), pa.string()), ":",
        pc.utf8_lpad(pc.cast(arrow(minute), pa.string()), 2, "0"), " ",
        vocabulary_take(v["meridiem"], (hour >= 12).astype(np.int64)),
    )  # fmt: skip
    shaped = pc.if_else(arrow(rows["garble_shape"][garbled]), impossible, twelve)
    return pc.replace_with_mask(text, arrow(rows["garbled"]), shaped)


def _addresses(v: dict[str, pa.Array], rows: Arrays) -> pa.Array:
    """``3021 Oliver White Ave`` for numbered places, else the intersection or highway name."""
    numbered = rows["place_kind"] == NUMBERED
    at_number = np.flatnonzero(numbered)
    named = np.flatnonzero(~numbered)
    house = join(
        pc.cast(arrow(rows["place_number"][at_number]), pa.string()),
        vocabulary_take(v["streets"], rows["place_street"][at_number]),
        separator=" ",
    )
    point = vocabulary_take(v["place_names"], rows["place_name"][named])
    return scatter(len(numbered), [(at_number, house), (named, point)])


def _narratives(v: dict[str, pa.Array], rows: Arrays, address: pa.Array, n: int) -> pa.Array:
    """Call-taker and officer notes, one template at a time; capitals stay capitals.

    Pieces come from vocabularies that already hold the stand-ins (``RP`` for a caller who
    gave no name, ``UNK`` for no number) and the lower- and upper-case forms, so a note is
    one join; only the address is upper-cased as text.
    """
    stand_in_caller = len(v["names"]) - 1
    stand_in_phone = len(v["phones"]) - 1
    pieces = []
    for number, template in enumerate(TEMPLATES):
        at = np.flatnonzero(rows["template"] == number)
        if not len(at):
            continue
        case = "upper" if _shouted(template) else "as_typed"
        names_, texts = v[f"names_{case}"], v[f"texts_{case}"]
        caller, phone = rows["caller"][at], rows["phone"][at]
        fields = {
            "caller": names_.take(arrow(np.where(caller < 0, stand_in_caller, caller))),
            "subject": names_.take(arrow(rows["subject"][at])),
            "phone": v["phones"].take(arrow(np.where(phone < 0, stand_in_phone, phone))),
            "address": address.take(arrow(at)),
            "what": texts.take(arrow(rows["what"][at])),
            "what_lower": v[f"texts_lower_{case}"].take(arrow(rows["what"][at])),
            "dob": v["births"].take(arrow(rows["birth"][at])),
        }
        if case == "upper":
            fields["address"] = pc.utf8_upper(fields["address"])
        parts: list[pa.Array | str] = []
        for literal, field, _, _ in string.Formatter().parse(template):
            if literal:
                parts.append(literal.upper() if case == "upper" else literal)
            if field:
                parts.append(fields[field])
        pieces.append((at, join(*parts)))
    return scatter(n, pieces)


@cache
def _shouted(template: str) -> bool:
    """Notes typed in capitals are written out in capitals, names and address included."""
    literal = "".join(text for text, _, _, _ in string.Formatter().parse(template))
    return literal.isupper()
