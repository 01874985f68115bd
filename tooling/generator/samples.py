"""The embedded default's sample data: every source's internal export for a span of days.

One writer per catalog source, so `make run`, `make dev` and the end-to-end tests generate
the same internal datasets the pipeline reads, under the catalog's dataset ids.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from pathlib import Path

from orchestration.catalog import SOURCES, Source
from tooling.generator.calls_for_service import write_internal_export
from tooling.generator.service_requests import write_service_requests_export
from tooling.generator.use_of_force import write_use_of_force_export

SAMPLE_WRITERS: dict[str, Callable[..., object]] = {
    "calls_for_service": write_internal_export,
    "use_of_force": write_use_of_force_export,
    "service_requests_311": write_service_requests_export,
}


def write_samples(
    directory: Path,
    start: date,
    end: date,
    *,
    seed: int,
    scale: float = 1.0,
    scales: Mapping[str, float] | None = None,
    sources: tuple[Source, ...] = SOURCES,
) -> dict[str, object]:
    """Each source's internal export for [start, end], with its summary by source name.

    `scale` multiplies every source's realistic volume; `scales` overrides it per source name,
    for a test that needs a rare source (a use-of-force incident or two a day) on every day.
    """
    scales = scales or {}
    missing = [source.name for source in sources if source.name not in SAMPLE_WRITERS]
    if missing:
        raise KeyError(f"no sample generator for {missing}")
    return {
        source.name: SAMPLE_WRITERS[source.name](
            directory,
            start,
            end,
            seed=seed,
            scale=scales.get(source.name, scale),
            dataset_id=source.internal_dataset_id,
        )
        for source in sources
    }
