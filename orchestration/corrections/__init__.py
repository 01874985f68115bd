"""The data stewards' corrections: decisions recorded in the warehouse, read by dbt."""
