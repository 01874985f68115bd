"""Command line: write the internal CAD export for a span of days and print what it holds.

``python -m tooling.generator --data-dir DIR --start 2026-11-01 --end 2026-11-07``
"""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict
from datetime import date
from pathlib import Path

from tooling.generator.calls_for_service import (
    DEFAULT_SEED,
    INTERNAL_CFS_DATASET_ID,
    write_internal_export,
)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m tooling.generator",
        description="Write the generated OPCD CAD export (CSV and .meta.json) for a local portal.",
    )
    parser.add_argument("--data-dir", type=Path, required=True, help="portal dataset folder")
    parser.add_argument("--start", type=date.fromisoformat, required=True, help="YYYY-MM-DD")
    parser.add_argument("--end", type=date.fromisoformat, required=True, help="YYYY-MM-DD")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--scale", type=float, default=1.0, help="volume factor (1.0 ≈ real)")
    parser.add_argument("--dataset-id", default=INTERNAL_CFS_DATASET_ID)
    args = parser.parse_args(argv)
    summary = write_internal_export(
        args.data_dir,
        args.start,
        args.end,
        seed=args.seed,
        scale=args.scale,
        dataset_id=args.dataset_id,
    )
    print(json.dumps(asdict(summary), indent=2, default=str))


if __name__ == "__main__":
    main()
