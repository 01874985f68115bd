"""Arrow text columns built from numpy arrays, without a Python string per row.

Why: formatting was most of the old generator's time. Fixed-width values (timestamps, item
numbers, coordinates) are laid out as a byte matrix in numpy and handed to Arrow as one
buffer; values from a small vocabulary are an Arrow ``take``; the rest are element-wise joins
of such columns. Codes below zero and masked rows become nulls (empty CSV fields).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc


def strings(values: Sequence[str]) -> pa.Array:
    """A string array of ``values``, built from its buffers.

    ``pa.array`` would do, but its first call imports pandas (0.2 s) to check the input.
    """
    encoded = [value.encode() for value in values]
    offsets = np.zeros(len(encoded) + 1, dtype=np.int32)
    np.cumsum([len(value) for value in encoded], out=offsets[1:])
    data = pa.py_buffer(b"".join(encoded))
    return pa.Array.from_buffers(pa.string(), len(encoded), [None, pa.py_buffer(offsets), data])


def arrow(values: np.ndarray, valid: np.ndarray | None = None) -> pa.Array:
    """An Arrow integer or boolean array sharing a numpy array's data (nulls where not valid)."""
    validity = None
    if valid is not None and not valid.all():
        validity = pa.py_buffer(np.packbits(valid, bitorder="little"))
    if values.dtype == np.bool_:
        data = pa.py_buffer(np.packbits(values, bitorder="little"))
        return pa.Array.from_buffers(pa.bool_(), len(values), [validity, data])
    data = pa.py_buffer(np.ascontiguousarray(values, dtype=np.int64))
    return pa.Array.from_buffers(pa.int64(), len(values), [validity, data])


def join(*parts: pa.Array | str, separator: str = "") -> pa.Array:
    """Row-wise concatenation of string arrays and constant texts.

    Constants become Arrow scalars here, taken from an array: a Python ``str`` handed to a
    compute function would be converted through ``pa.scalar``, which imports pandas.
    """
    scalars = [_scalar(part) if isinstance(part, str) else part for part in parts]
    return pc.binary_join_element_wise(*scalars, _scalar(separator))


@cache
def _scalar(text: str) -> pa.Scalar:
    return strings([text])[0]


def vocabulary_take(values: pa.Array, codes: np.ndarray) -> pa.Array:
    """``values[codes]``, null where a code is negative."""
    missing = codes < 0
    return values.take(arrow(np.where(missing, 0, codes), ~missing))


_DIGITS = np.array([str(d).encode() for d in range(10)], dtype="S1")
_PAIRS = np.array([f"{d:02d}".encode() for d in range(100)], dtype="S2")

# A fixed-width part of a text column: constant text, or fixed-width bytes per row ("S<w>").
Part = str | np.ndarray


def fixed_width(n: int, parts: Sequence[Part], valid: np.ndarray | None = None) -> pa.Array:
    """A string array whose row ``i`` is row ``i`` of every part, side by side.

    The rows are laid out once, as a numpy record per row with one field per part, and Arrow
    takes that memory as its data buffer.
    """
    encoded = [p.encode() if isinstance(p, str) else p for p in parts]
    encoded = [p for p in encoded if (len(p) if isinstance(p, bytes) else p.dtype.itemsize)]
    widths = [len(p) if isinstance(p, bytes) else p.dtype.itemsize for p in encoded]
    offsets = np.concatenate([[0], np.cumsum(widths)]).tolist()
    width = offsets[-1]
    layout = np.dtype(
        {
            "names": [f"f{i}" for i in range(len(encoded))],
            "formats": [f"S{w}" for w in widths],
            "offsets": offsets[:-1],
            "itemsize": width,
        }
    )
    records = np.empty(n, dtype=layout)
    for i, part in enumerate(encoded):
        records[f"f{i}"] = part
    ends = pa.py_buffer(np.arange(0, (n + 1) * width, width, dtype=np.int32))
    validity = None
    if valid is not None and not valid.all():
        validity = pa.py_buffer(np.packbits(valid, bitorder="little"))
    data = pa.py_buffer(records.view(np.uint8))
    return pa.Array.from_buffers(pa.string(), n, [validity, ends, data])


def digits(numbers: np.ndarray, width: int) -> list[np.ndarray]:
    """Zero-padded decimal digits of non-negative integers, as parts for ``fixed_width``.

    Two digits at a time from a 100-entry table: half the divisions of digit-by-digit.
    """
    parts = []
    if width % 2:
        parts.append(np.take(_DIGITS, numbers // 10 ** (width - 1) % 10))
    for power in range(width // 2 - 1, -1, -1):
        parts.append(np.take(_PAIRS, numbers // 100**power % 100))
    return parts


def timestamp(seconds: np.ndarray) -> list[Part]:
    """``YYYY-MM-DDThh:mm:ss`` of epoch seconds, as parts for ``fixed_width``.

    A batch spans a few weeks, so dates come from a small table of its days and clock times
    from the two-digit table.
    """
    days, clock = np.divmod(seconds, 86_400)
    first = int(days.min()) if len(days) else 0
    last = int(days.max()) if len(days) else 0
    calendar = np.arange(first, last + 1).astype("datetime64[D]")
    dates = np.datetime_as_string(calendar).astype("S10")
    return [
        np.take(dates, days - first),
        "T",
        np.take(_PAIRS, clock // 3600),
        ":",
        np.take(_PAIRS, clock // 60 % 60),
        ":",
        np.take(_PAIRS, clock % 60),
    ]


def decimals(values: np.ndarray, places: int, *, width: int) -> pa.Array:
    """Fixed-point text (``29.954123``, ``-90.071234``) of values whose integer part has
    ``width`` digits; NaN is null."""
    valid = ~np.isnan(values)
    scaled = np.rint(np.abs(np.where(valid, values, 0.0)) * 10**places).astype(np.int64)
    whole, fraction = np.divmod(scaled, 10**places)
    if np.any(valid & ((whole < 10 ** (width - 1)) | (whole >= 10**width))):
        raise ValueError(f"values outside the {width}-digit range this text form assumes")
    negative = values < 0
    if negative[valid].all() and valid.any():
        sign = "-"
    elif not negative[valid].any():
        sign = ""
    else:
        raise ValueError("a column of mixed signs needs a variable-width text form")
    parts = [sign, *digits(whole, width), ".", *digits(fraction, places)]
    return fixed_width(len(values), parts, valid)


def scatter(n: int, pieces: Sequence[tuple[np.ndarray, pa.Array]]) -> pa.Array:
    """One array of ``n`` rows from pieces computed for subsets of rows; other rows null."""
    arrays = [array for _, array in pieces]
    combined = pa.concat_arrays([*arrays, pa.nulls(1, pa.string())])
    where = np.full(n, len(combined) - 1, dtype=np.int64)
    start = 0
    for indices, array in pieces:
        where[indices] = np.arange(start, start + len(array))
        start += len(array)
    return combined.take(arrow(where))
