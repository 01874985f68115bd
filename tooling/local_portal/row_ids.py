"""The portal's `:id`s: opaque texts whose order is not their text's order, as on Socrata.

Socrata's `:id` is an internal identifier rendered as text (`row-xxxx~xxxx_xxxx`); a query
ordered by `:id`, and `:id > '<an id>'`, follow the internal order, which the text's own
order does not (../shared/socrata/README.md: keyset paging takes the last row's `:id` of a
page ordered by `:id`, never a maximum computed elsewhere). Here a new row's `:id` is its
sequence number scrambled by a bijection (times an odd constant modulo 2**48) and printed
in hex, shaped like row-1a2b-3c4d-5e6f; ordering and comparing by `:id` unscramble it back to
the sequence number. So a client that pages by the last row's `:id` reads every row once,
and one that takes the text maximum of what it read does not.
"""

from __future__ import annotations

_MODULUS = 2**48
_SCRAMBLE = 181783497276652981  # odd, so invertible modulo 2**48
_UNSCRAMBLE = pow(_SCRAMBLE, -1, _MODULUS)

# A new :id from the portal's row sequence; each sequence value appears once.
NEW_ROW_ID_SQL = (
    "regexp_replace(printf('%012x', CAST((CAST(nextval('portal_row_seq') AS HUGEINT)"
    f" * {_SCRAMBLE}) % {_MODULUS} AS BIGINT)),"
    " '^(.{4})(.{4})(.{4})$', 'row-\\1-\\2-\\3')"
)


def row_order_sql(id_sql: str) -> str:
    """SQL for the internal order of the `:id` text `id_sql`: its sequence number (NULL for
    a text that is not hex after `row-`, which then sorts last and matches no comparison).
    Plain string and integer arithmetic, no pattern match: it runs on every row a query
    orders, a million-row page included."""
    hex_digits = f"replace(substr({id_sql}, 5), '-', '')"
    return f"((TRY_CAST('0x' || {hex_digits} AS HUGEINT) * {_UNSCRAMBLE}) % {_MODULUS})"


def row_id(sequence: int) -> str:
    """The `:id` `NEW_ROW_ID_SQL` gives the row with this sequence number (for tests)."""
    digits = f"{(sequence * _SCRAMBLE) % _MODULUS:012x}"
    return f"row-{digits[:4]}-{digits[4:8]}-{digits[8:]}"


def row_order(row_id: str) -> int | None:
    """The internal order of one `:id`, as `row_order_sql` computes it (for tests)."""
    parts = row_id.split("-")
    if len(parts) != 4 or parts[0] != "row":
        return None
    return (int("".join(parts[1:]), 16) * _UNSCRAMBLE) % _MODULUS
