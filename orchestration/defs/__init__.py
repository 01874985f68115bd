"""Dagster objects only, one concern a module: assets, checks, jobs, schedules and sensors."""
