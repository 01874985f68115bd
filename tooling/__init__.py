"""Tooling around the platform, never loaded by its code location.

The local Socrata-compatible portal, the sample generator, the benchmark and the launcher
behind `make run`, `make dev` and `make lineage-ui`.
"""
