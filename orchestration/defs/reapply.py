"""The job after a privacy-rule change: the history rebuilt under the new rules, checked, and
only the difference published.

A rule lives in the dbt project (a rule table in `dbt_project/seeds/`, a macro, a model), so
a change to it reaches the public datasets only when the marts are built again. This job is
the daily run without the raw loads: for a day or a range, dbt rebuilds the rule tables
(seeds come first in its build order) and every model from staging to the marts and audit
tables out of the raw rows already in the warehouse, the marts' blocking contract checks run
over the range, and each publish step sends the difference against the publish ledger.
Rows that became private are withdrawn (`:deleted`), rows whose public values changed are
updated, the rest are not sent. Nothing is read from the source portal.

From the UI, launch it over a partition range (one run per range, the assets' backfill
policy); from a shell, `make reapply-rules` finds the days that hold data and runs it over
them (orchestration/publishing/reapply.py).
"""

from __future__ import annotations

import dagster as dg

from orchestration.partitions import daily_partitions

REAPPLY_JOB = "reapply_privacy_rules"

reapply_privacy_rules_job = dg.define_asset_job(
    name=REAPPLY_JOB,
    # The raw loads stay out: the raw rows are the source as it was; only the rules changed.
    selection=dg.AssetSelection.all() - dg.AssetSelection.groups("sources", "raw"),
    partitions_def=daily_partitions,
    description=(
        "After a privacy-rule change: rebuild a range of days from the raw rows already "
        "loaded (rule tables first, then staging to marts and audit), run the blocking "
        "contract checks, and publish the difference; rows that became private are "
        "withdrawn. Never loads from the source. `make reapply-rules` runs it over every day "
        "that holds data."
    ),
    executor_def=dg.in_process_executor,
)
