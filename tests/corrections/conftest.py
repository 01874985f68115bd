"""The pipeline tests' platform (generated source, two local portals, a warehouse)."""

from tests.pipeline.conftest import platform  # noqa: F401  (a fixture, used by name)
