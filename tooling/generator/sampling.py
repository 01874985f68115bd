"""Seeded sampling primitives that give the same draws on every Python version.

Only ``Random.random()`` is used: its stream for a given seed is fixed, whereas helpers such
as ``randrange``, ``choices`` and ``gauss`` have changed between releases. Building on it keeps
a generated day byte-identical wherever the generator runs.
"""

from __future__ import annotations

import math
import zlib
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from itertools import accumulate
from random import Random
from typing import Generic, TypeVar

T = TypeVar("T")


class Weighted(Generic[T]):
    """Draws one of several values in proportion to its weight."""

    __slots__ = ("_cumulative", "_last", "values")

    def __init__(self, weights: Iterable[tuple[T, float]]) -> None:
        pairs = [(value, float(weight)) for value, weight in weights if weight > 0]
        if not pairs:
            raise ValueError("a weighted choice needs at least one positive weight")
        self.values = [value for value, _ in pairs]
        self._cumulative = list(accumulate(weight for _, weight in pairs))
        self._last = len(pairs) - 1

    def weights(self) -> list[float]:
        """Each value's weight, in the order of ``values`` (for the vectorised samplers)."""
        return [b - a for a, b in zip([0.0, *self._cumulative], self._cumulative, strict=False)]

    def pick(self, rng: Random) -> T:
        return self.at(rng.random())

    def at(self, u: float) -> T:
        """The value a uniform ``u`` in [0, 1) falls on: for draws fixed by a hash, not a
        generator (seeding a ``Random`` per address cost more than the rest of its draw)."""
        index = bisect_right(self._cumulative, u * self._cumulative[-1])
        return self.values[min(index, self._last)]

    @classmethod
    def parse(cls, encoded: str) -> Weighted[str] | None:
        """Read the ``value:count;value:count`` form the reference tables use."""
        if not encoded:
            return None
        pairs = (item.rsplit(":", 1) for item in encoded.split(";"))
        return cls((value, float(count)) for value, count in pairs)


class Quantiles:
    """Inverse-CDF draws from a quantile table, interpolating linearly between its points.

    Draws beyond the table's last quantile take its value: the real tail is long and sparse,
    and a capped tail keeps generated durations inside what the data showed.
    """

    __slots__ = ("_probabilities", "_values")

    def __init__(self, points: Sequence[tuple[float, float]]) -> None:
        ordered = sorted(points)
        self._probabilities = [probability for probability, _ in ordered]
        self._values = [value for _, value in ordered]

    def points(self) -> list[tuple[float, float]]:
        """The table's (probability, value) points, in order (for the vectorised samplers)."""
        return list(zip(self._probabilities, self._values, strict=True))

    def draw(self, rng: Random) -> float:
        u = rng.random()
        index = bisect_right(self._probabilities, u)
        if index >= len(self._values):
            return self._values[-1]
        low_p, high_p = self._probabilities[index - 1], self._probabilities[index]
        low, high = self._values[index - 1], self._values[index]
        return low + (high - low) * (u - low_p) / (high_p - low_p)


def normal(rng: Random) -> float:
    """A standard normal deviate (Box-Muller), from two ``random()`` draws."""
    radius = math.sqrt(-2.0 * math.log(1.0 - rng.random()))
    return radius * math.cos(2.0 * math.pi * rng.random())


def stable_unit(text: str) -> float:
    """A number in [0, 1) fixed by ``text``: unlike ``hash()``, crc32 is not salted per process."""
    return zlib.crc32(text.encode()) / 2**32
