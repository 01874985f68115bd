"""The DuckDB warehouse: its Dagster resource and the SQL functions the models rely on."""
