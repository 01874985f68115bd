"""Ingest: each source's internal rows landed in raw tables, and what changed at the source."""
