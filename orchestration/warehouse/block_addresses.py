"""Addresses generalized to the block, or withheld: the `mask_block_address` rule.

The city publishes a call's place as a hundred-block (`030XX Oliver White Ave`), an
intersection (`Magazine St & Soniat St`) or a named place (`I-10 W`, `St Claude Bridge
Eastbound`). What the CAD holds is typed by people: house numbers at the start, the end,
after a prefix (`Approx Loc:7238 Downman Rd`, a row the city itself published), after a `#`,
glued to the street (`3021Oliver White Ave`), and unit designators (`Apt 4`, `Ste 200`,
`# 5`, `Rear`). So the rule is written the other way round from a mask that knows one shape:

1. every house number, wherever it stands, is reduced to its block in the city's form
   (3021 -> `030XX`, 45 -> `XX`, 5 -> `X`), and every unit designator is cut out;
2. what is left may hold digits only inside a hundred-block, an ordinal street name (`2nd
   St`) or a named place of the reviewed seed (`public_place_names`: `I-10`, `US90B`, ...);
3. anything that still holds a digit has no safe public form: the call is withheld, with the
   reason, rather than published with a guess.

A Python model applies it (int_*_address_generalized), once per distinct address: regular
expressions with look-behind say "a number that is not part of a word or a highway name"
far more plainly than nested SQL would, and the function is tested on its own.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc

WITHHELD_REASON = "address holds a number that is not a house number, hundred-block or named place"

# USPS Publication 28, appendix C2: secondary unit designators. Those that take an
# identifier (`Apt 4B`, `Ste 200`) are cut with it; those that stand alone (`Rear`) alone.
# Words that are also ordinary parts of place names (Lot, Space, Building, Dept, Office,
# Pier, Front, Upper, Lower) are left out: cutting them would mangle `Parking Lot`.
_WITH_IDENTIFIER = r"APT|APARTMENT|UNIT|STE|SUITE|RM|ROOM|BLDG|FL|FLR|TRLR|SPC"
_STANDING_ALONE = r"REAR|BSMT|UPPR|LOWR|FRNT|LBBY"
_UNIT_WITH_IDENTIFIER = re.compile(
    rf"(?<![\w-])(?:{_WITH_IDENTIFIER})(?![A-Z])\.?(?:\s*#?\s*(?:[0-9][\w-]*|[A-Z](?![\w'])))?",
    re.IGNORECASE,
)
_UNIT_STANDING_ALONE = re.compile(rf"(?<![\w-])(?:{_STANDING_ALONE})\b\.?", re.IGNORECASE)
# `#` before a number that is not where a house number stands (`Oliver White Ave # 5`).
_HASH_UNIT = re.compile(r"(?<=\S)\s*#\s*[\w-]*")
# A house number: digits not inside a word or a name (`I-10`), with an optional letter
# (3021A), range (3021-25) or fraction-like suffix, an optional leading `#`, and the city's
# `Blk`/`Block Of` after it. Ordinals (`2nd`, `21st`) are street names, not house numbers.
_HOUSE_NUMBER = re.compile(
    r"#?(?<![\w-])(?P<number>[0-9]+)(?P<suffix>-[0-9]+|\s+1/2\b|-?[A-Z](?![a-z]))?"
    r"(?:\s*(?:Blk|Block)\b(?:\s+Of\b)?)?",
    re.IGNORECASE,
)
_ORDINAL = re.compile(r"(?<![\w-])[0-9]{1,3}(?:ST|ND|RD|TH)\b", re.IGNORECASE)
_HUNDRED_BLOCK = re.compile(r"(?<![\w-])(?:[0-9]{3}XX|XX|X)(?![\w-])")
_DIGIT = re.compile(r"[0-9]")
_INTERSECTION = re.compile(r"\s*&\s*")
# A named place set aside stands in the text as one private-use character: not a digit, not
# a word character, so no rule reads it as (part of) a house number.
_PRIVATE_USE = 0xE000
_PLACEHOLDER = re.compile("[\ue000-\uf8ff]")
_LOOSE_ENDS = re.compile(r"^[\s,;:/-]+|[\s,;:/-]+$")


@dataclass(frozen=True)
class BlockAddress:
    """What may be published of one address: `published` (None when there is nothing to
    publish), or `withheld_reason` when the call must not be published at all."""

    published: str | None
    withheld_reason: str | None = None


def hundred_block(number: int) -> str:
    """A house number as the city publishes its block: 3021 -> 030XX, 45 -> XX, 5 -> X."""
    if number < 10:
        return "X"
    if number < 100:
        return "XX"
    return f"{number // 100:03d}XX"


def _placeholder(index: int) -> str:
    return chr(_PRIVATE_USE + index)


def _is_ordinal(text: str, match: re.Match[str]) -> bool:
    return bool(_ORDINAL.match(text, match.start("number")))


class AddressGeneralizer:
    """The rule, bound to the reviewed named places (`seeds/public_place_names.csv`)."""

    def __init__(self, named_places: Iterable[str]) -> None:
        names = sorted({" ".join(name.split()) for name in named_places if name}, key=len)
        alternatives = "|".join(re.escape(name) for name in reversed(names))
        self._named_place = (
            re.compile(rf"(?<![\w-])(?:{alternatives})(?![\w-])", re.IGNORECASE)
            if alternatives
            else None
        )

    def __call__(self, address: str | None) -> BlockAddress:
        plain = " ".join((address or "").split())
        if not plain:
            return BlockAddress(None)
        # Named places are set aside first, so their digits are never read as house numbers.
        kept: list[str] = []

        def set_aside(match: re.Match[str]) -> str:
            kept.append(match.group(0))
            return _placeholder(len(kept) - 1)

        text = self._named_place.sub(set_aside, plain) if self._named_place else plain
        parts = [self._generalize_part(part) for part in _INTERSECTION.split(text)]
        joined = " & ".join(part for part in parts if part)
        if _DIGIT.search(_HUNDRED_BLOCK.sub("", _ORDINAL.sub("", joined))):
            return BlockAddress(None, WITHHELD_REASON)
        published = _PLACEHOLDER.sub(lambda m: kept[ord(m.group(0)) - _PRIVATE_USE], joined)
        return BlockAddress(published or None)

    def _generalize_part(self, part: str) -> str:
        part = _UNIT_WITH_IDENTIFIER.sub(" ", part)
        part = _UNIT_STANDING_ALONE.sub(" ", part)
        part = _HASH_UNIT.sub(" ", part)
        blocks: list[str] = []

        def to_block(match: re.Match[str]) -> str:
            if _is_ordinal(part, match):
                return match.group(0)
            if part.startswith("XX", match.end("number")):
                # Already a block; a short one (07XX) takes the city's three digits (007XX).
                return f"{int(match.group('number')):03d}"
            block = hundred_block(int(match.group("number")))
            blocks.append(block)
            return f" {block} "

        part = _HOUSE_NUMBER.sub(to_block, part).replace("#", " ")
        part = _LOOSE_ENDS.sub("", " ".join(part.split()))
        # A number typed after the street (`Oliver White Ave 3021`) is put where the city
        # puts a block, in front.
        if len(blocks) == 1 and part.endswith(f" {blocks[0]}") and not part.startswith(blocks[0]):
            part = f"{blocks[0]} {part[: -len(blocks[0]) - 1]}"
        return _LOOSE_ENDS.sub("", part)


def generalized_address_table(addresses: pa.Table, named_places: Iterable[str]) -> pa.Table:
    """`addresses` (source_row_id, address) as (source_row_id, block_address,
    address_withheld_reason): the rule applied once per distinct address, then spread back
    over the rows by index, so a window of a million calls costs its few thousand places."""
    generalize = AddressGeneralizer(named_places)
    column = addresses.column("address")
    distinct = pc.unique(column)
    outcomes = [generalize(address) for address in distinct.to_pylist()]
    positions = pc.index_in(column, value_set=distinct)
    return pa.table(
        {
            "source_row_id": addresses.column("source_row_id"),
            "block_address": pa.array([o.published for o in outcomes], pa.string()).take(positions),
            "address_withheld_reason": pa.array(
                [o.withheld_reason for o in outcomes], pa.string()
            ).take(positions),
        }
    )
