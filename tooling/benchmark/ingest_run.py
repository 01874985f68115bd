"""One measured ingest, run as its own process: the pipeline's loader, or a newcomer's.

`fast` is the raw loader the Dagster raw assets run: CSV pages of day slices streamed into
DuckDB. `naive` is what a newcomer would write first: sodapy's `get_all` (JSON, offset paging,
its default 1,000-row page) into a pandas DataFrame, then the DataFrame into a DuckDB table.
Each prints one JSON line with the rows it loaded (the parent checks both read the same rows)
and the seconds the load took from its first request to its last commit, without the
interpreter's start and imports; the parent reads the process's peak memory.

    python -m tooling.benchmark.ingest_run fast|naive --domain H:P --warehouse W
        --start YYYY-MM-DD --end YYYY-MM-DD [--source NAME ...]
"""

from __future__ import annotations

import argparse
import json
import time
import uuid
from datetime import date

import duckdb

from orchestration.catalog import SOURCES
from orchestration.partitions import DayWindow


def load_fast(domain: str, warehouse: str, window: DayWindow, names: list[str]) -> int:
    from orchestration.ingest.loader import LOADER_MEMORY_LIMIT, load_raw_window
    from orchestration.socrata.client import CSV_PAGE_SIZE, SocrataClient
    from orchestration.warehouse.resource import limit_memory

    run_id = f"bench-{uuid.uuid4().hex[:12]}"
    rows = 0
    with SocrataClient(domain) as client:
        connection = duckdb.connect(warehouse)
        limit_memory(connection, LOADER_MEMORY_LIMIT)  # as the raw assets' connection
        try:
            for source in SOURCES:
                if source.name in names:
                    rows += load_raw_window(
                        client,
                        connection,
                        source,
                        window,
                        dataset_id=source.internal_dataset_id,
                        run_id=run_id,
                        page_size=CSV_PAGE_SIZE,
                    ).rows_loaded
        finally:
            connection.close()
    return rows


def load_naive(domain: str, warehouse: str, window: DayWindow, names: list[str]) -> int:
    """sodapy's get_all into pandas, as its README shows, then into DuckDB."""
    import pandas as pd
    from requests.adapters import HTTPAdapter
    from sodapy import Socrata

    # The local portal speaks plain HTTP; sodapy needs an adapter for that, nothing else.
    client = Socrata(domain, None, session_adapter={"prefix": "http://", "adapter": HTTPAdapter()})
    rows = 0
    connection = duckdb.connect(warehouse)
    try:
        for source in SOURCES:
            if source.name not in names:
                continue
            records = client.get_all(
                source.internal_dataset_id, where=window.soql_where(source.day_field)
            )
            frame = pd.DataFrame.from_records(list(records))
            connection.register("frame", frame)
            connection.execute(f"create or replace table naive_{source.name} as from frame")
            connection.unregister("frame")
            rows += len(frame)
    finally:
        connection.close()
        client.close()
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="ingest_run", description=__doc__)
    parser.add_argument("mode", choices=("fast", "naive"))
    parser.add_argument("--domain", required=True)
    parser.add_argument("--warehouse", required=True)
    parser.add_argument("--start", type=date.fromisoformat, required=True)
    parser.add_argument("--end", type=date.fromisoformat, required=True, help="exclusive")
    parser.add_argument("--source", action="append", help="a source name (default: all)")
    args = parser.parse_args(argv)
    names = args.source or [source.name for source in SOURCES]
    window = DayWindow(args.start, args.end)
    load = load_fast if args.mode == "fast" else load_naive
    started = time.perf_counter()
    rows = load(args.domain, args.warehouse, window, names)
    seconds = time.perf_counter() - started
    print(json.dumps({"rows": rows, "seconds": round(seconds, 3)}), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
