"""Which contract checks a span's verification spends its time on: each check verified alone.

When `contracts_vs_dbt` misses its target, this says where the time goes. Each declared check
of each composed contract is verified on its own (the contract's columns kept, every other
check removed), after a contract with no checks at all gives Soda's fixed cost. Soda shares
one query among some column checks of a contract (missing, invalid, ...), so the costs of
checks alone add up to more than the whole contract's; the expensive ones still stand out.

    python -m tooling.benchmark.check_costs WAREHOUSE START END [--dataset NAME]
"""

from __future__ import annotations

import argparse
import copy
import sys
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any


def single_check_documents(document: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """(check name, the contract with only that check), then ("(no checks)", none at all)."""
    from orchestration.quality.contract_checks import check_name

    def stripped() -> dict[str, Any]:
        bare = copy.deepcopy(document)
        bare.pop("checks", None)
        for column in bare.get("columns", []):
            column.pop("checks", None)
        return bare

    yield "(no checks)", stripped()
    for index, column in enumerate(document.get("columns", [])):
        for item in column.get("checks") or []:
            [(check_type, definition)] = item.items()
            alone = stripped()
            alone["columns"][index]["checks"] = [copy.deepcopy(item)]
            yield check_name(column["name"], check_type, (definition or {}).get("qualifier")), alone
    for item in document.get("checks") or []:
        [(check_type, definition)] = item.items()
        alone = stripped()
        alone["checks"] = [copy.deepcopy(item)]
        yield check_name(None, check_type, (definition or {}).get("qualifier")), alone


def check_costs(
    warehouse: Path, start: date, end: date, datasets: list[str] | None = None
) -> list[tuple[str, str, float]]:
    """(dataset, check, seconds) for every check alone, on one read-only connection."""
    import duckdb

    from orchestration.catalog import PUBLISHED_DATASETS
    from orchestration.partitions import DayWindow
    from orchestration.quality.gate import composed_contract, contract_variables
    from orchestration.quality.soda import contract_path, verify

    window = DayWindow(start, end)
    costs = []
    connection = duckdb.connect(str(warehouse), read_only=True)
    try:
        for dataset in PUBLISHED_DATASETS:
            if datasets and dataset.name not in datasets:
                continue
            variables = contract_variables(dataset, window)
            for name, document in single_check_documents(composed_contract(dataset)):
                started = time.perf_counter()
                outcome = verify(connection, contract_path(dataset.name), variables, document)
                seconds = time.perf_counter() - started
                if outcome.errors:
                    name += f" (errors: {'; '.join(map(str, outcome.errors))})"
                costs.append((dataset.name, name, seconds))
                print(f"{dataset.name:<24} {name:<48} {seconds:9.2f} s", flush=True)
    finally:
        connection.close()
    return costs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("warehouse", type=Path, help="a span's warehouse.duckdb (see --work-dir)")
    parser.add_argument("start", type=date.fromisoformat)
    parser.add_argument("end", type=date.fromisoformat, help="exclusive")
    parser.add_argument("--dataset", action="append", help="only this mart's contract")
    args = parser.parse_args(argv)
    costs = check_costs(args.warehouse, args.start, args.end, args.dataset)
    print("\nslowest checks:")
    for dataset, name, seconds in sorted(costs, key=lambda cost: -cost[2])[:10]:
        print(f"  {seconds:9.2f} s  {dataset}: {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
