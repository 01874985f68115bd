"""The launcher behind `make run`, `make dev` and `make lineage-ui` on one machine."""
