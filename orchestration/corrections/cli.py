"""`make import-corrections CSV=decisions.csv`: a batch of stewards' decisions from a shell.

It runs the `import_corrections` job (orchestration/defs/corrections.py) in this process
against the deployment's Dagster instance, so the run, its decisions and any refusal show
in the UI like a run launched there; the `apply_corrections` sensor then applies them. It
exits 1, printing each bad line, when the batch is refused (nothing is recorded then).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import dagster as dg

IMPORT_JOB = "import_corrections"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m orchestration.corrections.cli",
        description="Record a CSV file of stewards' decisions: every line, or none.",
    )
    parser.add_argument("csv", type=Path, help="the CSV file (header: the decision's fields)")
    args = parser.parse_args(argv)
    # The code location, as the deployment's Dagster loads it (it reads its settings from
    # the environment when it loads).
    from orchestration.definitions import defs

    result = defs.resolve_job_def(IMPORT_JOB).execute_in_process(
        run_config={"ops": {"import_decisions": {"config": {"path": str(args.csv.resolve())}}}},
        instance=dg.DagsterInstance.get(),
        raise_on_error=False,
    )
    if result.success:
        [materialization] = result.asset_materializations_for_node("import_decisions")
        count = materialization.metadata["decisions_recorded"].value
        print(f"recorded {count} decisions (run {result.run_id}); apply_corrections applies them")
        return 0
    for event in result.all_events:
        if event.is_step_failure:
            failure = event.step_failure_data
            print(
                failure.user_failure_data.description
                if failure.user_failure_data
                else failure.error.message
            )
    return 1


if __name__ == "__main__":
    sys.exit(main())
