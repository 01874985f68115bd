"""The platform: Dagster assets that ingest, transform, check and publish a city's public data."""
