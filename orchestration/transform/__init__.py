"""Transform: the dbt project as Dagster runs it, its parse and column metadata reused."""
