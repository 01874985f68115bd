"""Drawing a batch of hypothesis examples to push through one dbt build.

A dbt build takes seconds, so the properties do not run dbt per example. Instead each
property's records are drawn with hypothesis (`@given` under a fixed, derandomized profile,
every example kept), written to one raw window, and built once; the property is then
checked on every record, and a failure names the records it failed on. Shrinking is given
up for that: the failure message lists the offending records instead.
"""

from __future__ import annotations

from typing import TypeVar

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

T = TypeVar("T")


def draw_examples(strategy: st.SearchStrategy[T], count: int) -> list[T]:
    """`count` examples of `strategy`, the same ones on every run (derandomized, no database)."""
    examples: list[T] = []

    @settings(
        max_examples=count,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def keep(example: T) -> None:
        examples.append(example)

    keep()
    return examples
