"""Vectorised seeded draws: a whole day's calls from one numpy generator, array at a time.

Why: drawing a call at a time in Python capped the generator near 26,000 rows/s, so a
15-year bench span took minutes. These samplers turn arrays of uniforms into a month of
decisions in a few numpy operations instead. Each generator is seeded from a SHA-256 of a
text naming the seed and the day (``hash()`` would be salted per process), so a day's draws
do not depend on which span asked for them, and numpy's PCG64 streams are fixed across
releases.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence

import numpy as np

Rng = np.random.Generator


def seeded(text: str) -> Rng:
    """A generator fixed by ``text`` (e.g. ``"20110101|2024-01-05|1.0"``)."""
    entropy = int.from_bytes(hashlib.sha256(text.encode()).digest()[:16], "little")
    return np.random.Generator(np.random.PCG64(entropy))


class Choice:
    """Draws indices ``0..k-1`` in proportion to their weights."""

    __slots__ = ("_cumulative",)

    def __init__(self, weights: Sequence[float]) -> None:
        cumulative = np.cumsum(np.asarray(weights, dtype=np.float64))
        if len(cumulative) == 0 or cumulative[-1] <= 0:
            raise ValueError("a weighted choice needs at least one positive weight")
        self._cumulative = cumulative

    def pick(self, u: np.ndarray) -> np.ndarray:
        """The index each uniform in ``u`` falls on."""
        target = u * self._cumulative[-1]
        index = np.searchsorted(self._cumulative, target, side="right")
        return np.minimum(index, len(self._cumulative) - 1)


class GroupedChoice:
    """One weighted choice per group, drawn for a whole array of groups at once.

    Every group's (value, weight) pairs sit in one cumulative array; a draw for group ``g``
    aims into ``g``'s stretch of it, so a single ``searchsorted`` serves all rows whatever
    their group. Rows of a group without values get ``-1``.
    """

    __slots__ = ("_before", "_cumulative", "_end", "_start", "_total", "_values")

    def __init__(self, groups: Sequence[Sequence[tuple[int, float]]]) -> None:
        values, weights, starts, ends = [], [], [], []
        for pairs in groups:
            positive = [(value, weight) for value, weight in pairs if weight > 0]
            starts.append(len(values))
            values.extend(value for value, _ in positive)
            weights.extend(weight for _, weight in positive)
            ends.append(len(values))
        self._values = np.asarray([*values, -1], dtype=np.int64)
        self._cumulative = np.cumsum(np.asarray(weights, dtype=np.float64))
        self._start = np.asarray(starts, dtype=np.int64)
        self._end = np.asarray(ends, dtype=np.int64)
        before = np.concatenate([[0.0], self._cumulative])
        self._total = np.where(self._end > self._start, before[self._end] - before[self._start], 0)
        self._before = before[self._start]

    def pick(self, u: np.ndarray, groups: np.ndarray) -> np.ndarray:
        """The value each uniform in ``u`` falls on within its row's group."""
        target = self._before[groups] + u * self._total[groups]
        index = np.searchsorted(self._cumulative, target, side="right")
        start, end = self._start[groups], self._end[groups]
        index = np.clip(index, start, np.maximum(end - 1, start))
        return np.where(end > start, self._values[np.minimum(index, len(self._values) - 1)], -1)


class QuantileTable:
    """Inverse-CDF draws from a quantile table, linear between its points, capped at its last."""

    __slots__ = ("_probabilities", "_values")

    def __init__(self, points: Sequence[tuple[float, float]]) -> None:
        ordered = sorted(points)
        self._probabilities = np.asarray([p for p, _ in ordered])
        self._values = np.asarray([v for _, v in ordered])

    def at(self, u: np.ndarray) -> np.ndarray:
        return np.interp(u, self._probabilities, self._values)


class Uniforms:
    """Rows of uniform draws handed out in a fixed order, one row per decision.

    Why: a day draws all its uniforms in one call (``rng.random((rows, calls))``), and days
    are then joined into a month, so every decision is made for a month of calls in one
    numpy operation while each call's draws still come from its own day's generator. They are
    drawn as float32 (five times faster than float64; 24 bits resolve every choice here) and
    widened when handed out, so ``u * k`` stays below ``k``.
    """

    __slots__ = ("_matrix", "_next")

    def __init__(self, matrix: np.ndarray) -> None:
        self._matrix = matrix
        self._next = 0

    def __call__(self) -> np.ndarray:
        if self._next >= len(self._matrix):
            raise IndexError("more decisions than uniform rows: raise the row count")
        row = self._matrix[self._next].astype(np.float64)
        self._next += 1
        return row


def by_key(u: np.ndarray, keys: np.ndarray, draws: dict[int, Callable]) -> np.ndarray:
    """``draws[key](u)`` for each row's key, each draw applied only to its own rows.

    Rows whose key has no draw get 0. Cheaper than drawing every alternative for every row
    and picking one afterwards.
    """
    out = np.zeros(len(u), dtype=np.float64)
    for key, draw in draws.items():
        at = keys == key
        if at.any():
            out[at] = draw(u[at])
    return out


def positions(rng: Rng, count: int, population: int) -> np.ndarray:
    """A mask of ``count`` distinct positions among ``population``."""
    mask = np.zeros(population, dtype=bool)
    count = min(count, population)
    if count:
        mask[rng.choice(population, size=count, replace=False)] = True
    return mask


def mix(*keys: np.ndarray) -> np.ndarray:
    """A well-spread 64-bit hash of integer keys (splitmix64), for draws fixed by a value.

    An address always gets the same jitter this way, whichever call or day it turns up in.
    """
    h = np.zeros(len(keys[0]), dtype=np.uint64)
    for key in keys:
        h = h ^ key.astype(np.uint64)
        h = h + np.uint64(0x9E3779B97F4A7C15)
        h = (h ^ (h >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        h = (h ^ (h >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        h = h ^ (h >> np.uint64(31))
    return h


def unit(hashed: np.ndarray) -> np.ndarray:
    """Hashes mapped to [0, 1)."""
    return (hashed >> np.uint64(11)).astype(np.float64) / float(1 << 53)
