"""Nothing lost without a signal: quarantine rates, new codes and missing published days.

Three kinds of check, beside the contracts (issue 17, item 5):

* `quarantine_rate`, on each source's mart, per partition: each quarantine reason's share of
  the day's records (orchestration/quality/quarantine_rates.py). Past the lower threshold it
  warns; past the higher one it fails with ERROR severity and, being blocking, stops that
  source's publish and nothing else.
* `no_new_codes`, on a mart whose source has coded fields with a reference seed (calls for
  service), per partition: warns naming each code its seed does not list yet
  (orchestration/quality/new_codes.py). It never blocks: the models already keep such rows
  out (withheld or quarantined), and the quarantine rate blocks when they are many.
* `no_missing_days`, on each published dataset (`socrata/<name>`, the derived police response
  times too): every day from the first published to the newest was published
  (orchestration/quality/missing_days.py). It fails with ERROR severity and blocks nothing:
  it runs after the publish it would judge (a check on the published asset), and a day that
  did not publish cannot be caught by its own run; the hourly freshness run and the next
  day's publish catch it, once a later day is published around it (before that, the
  freshness check does).

Metadata holds counts, rates, codes and days, never a row's values; the one exception is a
new code's text as the source sent it, which a steward needs to review the code.
"""

import dagster as dg

from orchestration.catalog import PublishedDataset, Source
from orchestration.partitions import DayWindow, daily_partitions
from orchestration.quality import quarantine_rates
from orchestration.quality.missing_days import SHOWN_DAYS, describe_missing, missing_days
from orchestration.quality.new_codes import CODED_FIELDS, new_codes
from orchestration.quality.quarantine_rates import BLOCKS, WARNS, Threshold, quarantine_by_day
from orchestration.warehouse.resource import WarehouseResource

QUARANTINE_RATE = "quarantine_rate"
NEW_CODES = "no_new_codes"
MISSING_DAYS = "no_missing_days"


def build_quarantine_rate_check(
    source: Source,
    warn: Threshold = quarantine_rates.WARN,
    block: Threshold = quarantine_rates.BLOCK,
) -> dg.AssetChecksDefinition:
    """The blocking quarantine-rate check of a source's mart."""

    @dg.asset_check(
        asset=source.published.mart_asset_key,
        name=QUARANTINE_RATE,
        blocking=True,
        partitions_def=daily_partitions,
        additional_deps=[source.row_fates_asset_key],  # read, so waited for
        description=(
            f"No quarantine reason takes out much of a day of {source.title}: warns past "
            f"{warn.describe()}, blocks the publish past {block.describe()}."
        ),
    )
    def quarantine_rate(
        context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource
    ) -> dg.AssetCheckResult:
        window = DayWindow.from_time_window(context.partition_time_window)
        with warehouse.connect(read_only=True) as connection:
            day_records, reason_days = quarantine_by_day(connection, source, window)
        verdicts = {reason_day: reason_day.verdict(warn, block) for reason_day in reason_days}
        blocking = [r for r, verdict in verdicts.items() if verdict == BLOCKS]
        warning = [r for r, verdict in verdicts.items() if verdict == WARNS]
        crossed = blocking or warning
        if crossed:
            level = "blocks the publish" if blocking else "warns"
            description = f"{level}: " + "; ".join(r.describe() for r in crossed[:SHOWN_DAYS])
            context.log.warning(f"{source.name} quarantine rate {description}")
        else:
            description = "no quarantine reason past the warning threshold"
        return dg.AssetCheckResult(
            passed=not crossed,
            severity=dg.AssetCheckSeverity.ERROR if blocking else dg.AssetCheckSeverity.WARN,
            description=description,
            metadata={
                "window": f"{window.start}..{window.end}",
                "records": sum(day_records.values()),
                "by_reason": _by_reason(reason_days, verdicts),
                "warn_past": warn.describe(),
                "block_past": block.describe(),
            },
        )

    return quarantine_rate


def _by_reason(
    reason_days: list[quarantine_rates.ReasonDay],
    verdicts: dict[quarantine_rates.ReasonDay, str],
) -> dict[str, dict[str, object]]:
    """Per reason: its records over the window, and its worst day (records, rate, verdict)."""
    summary: dict[str, dict[str, object]] = {}
    for reason_day in sorted(reason_days, key=lambda r: (r.reason, -r.share, r.day)):
        entry = summary.setdefault(
            reason_day.reason,
            {
                "records": 0,
                "worst_day": reason_day.day.isoformat(),
                "worst_day_records": reason_day.records,
                "worst_day_rate": round(reason_day.share, 4),
                "verdict": verdicts[reason_day],
            },
        )
        entry["records"] += reason_day.records
    return summary


def build_new_codes_check(source: Source) -> dg.AssetChecksDefinition:
    """The warning naming each new code of a source's window (sources with coded fields)."""
    fields = CODED_FIELDS[source.name]

    @dg.asset_check(
        asset=source.published.mart_asset_key,
        name=NEW_CODES,
        partitions_def=daily_partitions,
        additional_deps=[source.row_fates_asset_key],  # read, so waited for
        description=(
            f"Every code of {source.title} ({', '.join(f.field for f in fields)}) is in its "
            "reference seed; warns naming each one that is not."
        ),
    )
    def no_new_codes(
        context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource
    ) -> dg.AssetCheckResult:
        window = DayWindow.from_time_window(context.partition_time_window)
        with warehouse.connect(read_only=True) as connection:
            found = new_codes(connection, source, window, fields)
        description = (
            "new codes: " + "; ".join(code.describe() for code in found) if found else "no new code"
        )
        if found:
            context.log.warning(f"{source.name} {description}")
        return dg.AssetCheckResult(
            passed=not found,
            severity=dg.AssetCheckSeverity.WARN,
            description=description,
            metadata={
                "window": f"{window.start}..{window.end}",
                "new_codes": [code.as_metadata() for code in found],
            },
        )

    return no_new_codes


def build_partition_signal_checks(sources: tuple[Source, ...]) -> list[dg.AssetChecksDefinition]:
    """Each source's quarantine-rate check, and its new-code check where it has coded fields."""
    checks = [build_quarantine_rate_check(source) for source in sources]
    checks += [build_new_codes_check(source) for source in sources if source.name in CODED_FIELDS]
    return checks


def build_missing_days_check(dataset: PublishedDataset) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=dataset.published_asset_key,
        name=MISSING_DAYS,
        description=(
            f"Every day from the first published day of {dataset.title} to the newest was "
            "published (fails naming the missing days)."
        ),
    )
    def no_missing_days(context: dg.AssetCheckExecutionContext) -> dg.AssetCheckResult:
        published = context.instance.get_materialized_partitions(dataset.published_asset_key)
        missing = missing_days(published)
        description = describe_missing(missing)
        if missing:
            context.log.error(f"{dataset.name}: {description}")
        return dg.AssetCheckResult(
            passed=not missing,
            severity=dg.AssetCheckSeverity.ERROR,
            description=description,
            metadata={
                "first_published_day": min(published) if published else "none",
                "newest_published_day": max(published) if published else "none",
                "missing_days": len(missing),
                "first_missing_days": [day.isoformat() for day in missing[:SHOWN_DAYS]],
            },
        )

    return no_missing_days
