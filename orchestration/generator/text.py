"""Arrow text columns built from numpy arrays, without a Python string per row.

Why: formatting was most of the old generator's time. Fixed-width values (timestamps, item
numbers, coordinates) are laid out as a byte matrix in numpy and handed to Arrow as one
buffer; values from a small vocabulary are an Arrow ``take``; the rest are element-wise joins
of such columns. Codes below zero and masked rows become nulls (empty CSV fields).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

_TIMESTAMP_WIDTH = 19  # Arrow's "YYYY-MM-DD hh:mm:ss"


def vocabulary_take(values: pa.Array, codes: np.ndarray) -> pa.Array:
    """``values[codes]``, null where a code is negative."""
    missing = codes < 0
    indices = pa.array(np.where(missing, 0, codes), mask=missing if missing.any() else None)
    return values.take(indices)


def digits(numbers: np.ndarray, width: int) -> np.ndarray:
    """Zero-padded decimal digits of non-negative integers, as an ``(n, width)`` byte matrix."""
    powers = 10 ** np.arange(width - 1, -1, -1, dtype=np.int64)
    return (numbers[:, None] // powers % 10 + ord("0")).astype(np.uint8)


def constant(text: str, n: int) -> np.ndarray:
    """``text`` in every row, as an ``(n, len(text))`` byte matrix."""
    encoded = np.array(list(text.encode()), dtype=np.uint8)
    return np.broadcast_to(encoded, (n, len(encoded)))


def from_matrix(columns: Sequence[np.ndarray], valid: np.ndarray | None = None) -> pa.Array:
    """A string array whose row ``i`` is the bytes of row ``i`` of the matrices side by side."""
    matrix = np.ascontiguousarray(np.hstack(columns), dtype=np.uint8)
    n, width = matrix.shape
    offsets = pa.py_buffer((np.arange(n + 1, dtype=np.int32) * width).tobytes())
    validity = None
    if valid is not None and not valid.all():
        validity = pa.py_buffer(np.packbits(valid, bitorder="little").tobytes())
    data = pa.py_buffer(matrix.tobytes())
    return pa.Array.from_buffers(pa.string(), n, [validity, offsets, data])


def timestamp_matrix(seconds: np.ndarray) -> np.ndarray:
    """``YYYY-MM-DDThh:mm:ss`` of epoch seconds, as an ``(n, 19)`` byte matrix."""
    text = pc.cast(pa.array(seconds.astype("datetime64[s]")), pa.string())
    data = np.frombuffer(text.buffers()[2], dtype=np.uint8)
    start = text.offset  # a fresh cast starts at its buffer's start
    matrix = data[start : start + len(seconds) * _TIMESTAMP_WIDTH].reshape(-1, _TIMESTAMP_WIDTH)
    matrix = matrix.copy()
    matrix[:, 10] = ord("T")
    return matrix


def decimals(values: np.ndarray, places: int, *, width: int) -> pa.Array:
    """Fixed-point text (``29.954123``, ``-90.071234``) of values whose integer part has
    ``width`` digits; NaN is null."""
    valid = ~np.isnan(values)
    scaled = np.rint(np.abs(np.where(valid, values, 0.0)) * 10**places).astype(np.int64)
    whole, fraction = np.divmod(scaled, 10**places)
    if np.any(valid & ((whole < 10 ** (width - 1)) | (whole >= 10**width))):
        raise ValueError(f"values outside the {width}-digit range this text form assumes")
    negative = values < 0
    if negative[valid].all():
        sign = constant("-", len(values))
    elif not negative[valid].any():
        sign = constant("", len(values))
    else:
        raise ValueError("a column of mixed signs needs a variable-width text form")
    return from_matrix([sign, digits(whole, width), constant(".", len(values)),
                        digits(fraction, places)], valid)  # fmt: skip


def scatter(n: int, pieces: Sequence[tuple[np.ndarray, pa.Array]]) -> pa.Array:
    """One array of ``n`` rows from pieces computed for subsets of rows; other rows null."""
    arrays = [array for _, array in pieces]
    combined = pa.concat_arrays([*arrays, pa.nulls(1, pa.string())])
    where = np.full(n, len(combined) - 1, dtype=np.int64)
    start = 0
    for indices, array in pieces:
        where[indices] = np.arange(start, start + len(array))
        start += len(array)
    return combined.take(pa.array(where))
