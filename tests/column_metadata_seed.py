"""One derivation of the dbt models' column metadata for the whole suite, not one a platform.

A warehouse's first run derives every model's column schema and lineage with dagster-dbt
(about 45 s of sqlglot on this machine) and keeps it beside the warehouse, keyed by
fingerprints of what it depends on (orchestration/transform/column_metadata.py). Every test
platform builds the same models over the same raw columns, so after one platform has derived
them, the others start from a copy of that cache: whatever a copied entry no longer matches
(other privacy parameters, a raw table that grew a column) the run derives again, exactly as
production does with its own cache. tests/pipeline/test_column_metadata_cache.py, which
tests the derivation, starts without a copy.

The shared copy lives in the session's temporary base folder (under pytest-xdist, the one
every worker's folders lie in), named by SEED_ENV, so no session reuses another's.
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from pathlib import Path

from orchestration.transform.column_metadata import cache_path_for

SEED_ENV = "CIVIC_TEST_COLUMN_METADATA_SEED"


def _seed() -> Path | None:
    location = os.environ.get(SEED_ENV)
    return Path(location) if location else None


def seed_column_metadata(warehouse: Path) -> bool:
    """Start a new warehouse from the suite's derived column metadata; whether there was any."""
    seed, cache = _seed(), cache_path_for(warehouse)
    if seed is None or not seed.is_file() or cache.exists():
        return False
    shutil.copyfile(seed, cache)
    return True


def share_column_metadata(warehouse: Path) -> None:
    """Offer a warehouse's derived column metadata to the platforms built after it (once)."""
    seed, cache = _seed(), cache_path_for(warehouse)
    if seed is None or seed.exists() or not cache.is_file():
        return
    text = cache.read_text(encoding="utf-8")
    try:
        if not json.loads(text).get("models"):
            return
    except ValueError:
        return
    partial = seed.with_name(f"{seed.name}.{uuid.uuid4().hex}.partial")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, seed)
