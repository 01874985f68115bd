"""Definitions by concern: ingest, transform, quality, publish, schedules."""
