"""Deterministic generator of the private OPCD CAD export the calls-for-service pipeline reads.

The pipeline's input is an internal Socrata dataset that real rows cannot fill, so this package
invents it from small reference tables derived from real published data
(``scripts/derive_generator_reference.py``), with the private fields and faults the pipeline
exists to remove. Entry points: ``generate_calls`` (rows) and ``write_internal_export``
(``DIR/<dataset-id>.csv`` plus its ``.meta.json`` sidecar for the local portal).
"""

from tooling.generator.calls_for_service import (
    DEFAULT_SEED,
    INTERNAL_CFS_DATASET_ID,
    ExportSummary,
    generate_calls,
    write_internal_export,
)

__all__ = [
    "DEFAULT_SEED",
    "INTERNAL_CFS_DATASET_ID",
    "ExportSummary",
    "generate_calls",
    "write_internal_export",
]
