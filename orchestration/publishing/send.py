"""Sending a staged plan to the portal in chunks, the ledger following chunk by chunk.

A chunk is recorded in the ledger right after the portal accepted it, so a publish that dies
between chunks leaves a ledger equal to what the portal holds, and the next run's plan
holds exactly the rows not yet sent. (A death between the portal's answer and the ledger's
commit re-sends that one chunk: its upserts by row identifier land as updates, and its
deletes, which Socrata answers as errors since the rows are gone, are verified absent and
the chunk recorded, `_resent_deletes_verified`.)

When the client gives up on a chunk (its retry budget spent), the publish fails with a
`PublishError` naming the dataset, the chunk that failed and the last one that landed, so an
operator knows the next run sends from there on (the ledger already holds the rest).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import duckdb

from orchestration.catalog import PublishedDataset
from orchestration.partitions import DayWindow
from orchestration.publishing.ledger import LEDGER_TABLE, ensure_ledger, record_chunk
from orchestration.publishing.plan import (
    PLAN_TABLE,
    Hold,
    PublishPlan,
    plan_body,
    stage_delta_plan,
    stage_full_plan,
)
from orchestration.publishing.schema import mismatch_error
from orchestration.socrata.client import RowErrors, SocrataClient, SocrataError

log = logging.getLogger(__name__)

DEFAULT_CHUNK_SIZE = 10_000  # what Socrata's own publishing tools send per request


class PublishError(SocrataError):
    """A chunk could not be sent within the client's retry budget."""


class EmptyReplaceRefused(ValueError):
    """A full refresh of an empty mart, not explicitly allowed: it would empty the dataset."""


def _chunk_failure(
    connection: duckdb.DuckDBPyConnection,
    dataset_id: str,
    chunk: int,
    size: int,
    span: tuple[int, int, int],
    error: Exception,
) -> PublishError:
    """The error of a chunk the client gave up on, saying what landed before it."""
    first, last, total = span
    chunks = -(-total // size) if total else 1
    if chunk == 1:
        landed = "no chunk of this attempt landed"
    else:
        landed = f"the last good chunk is {chunk - 1} (rows 1-{first - 1}), recorded in the ledger"
    (in_ledger,) = connection.execute(
        f"select count(*) from {LEDGER_TABLE} where dataset_id = ?", [dataset_id]
    ).fetchone()
    return PublishError(
        f"publishing {dataset_id} failed at chunk {chunk} of {chunks} (rows {first}-{last} of "
        f"{total} to send); {landed}; the ledger holds {in_ledger} rows of {dataset_id} on the "
        f"portal, and the next run sends only what it lacks. Cause: {error}"
    )


@dataclass
class PublishResult:
    """A plan and what sending it did."""

    plan: PublishPlan
    rows_sent: int = 0
    bytes_sent: int = 0  # JSON bodies of the upserts, as sent (UTF-8 bytes)
    chunks: int = 0
    seconds: float = 0.0
    answers: list[dict[str, int]] = field(default_factory=list)

    def summary(self) -> str:
        plan = self.plan
        return (
            f"{plan.dataset_id}: sent {plan.rows_to_send:,} of {plan.rows_in_mart:,} mart rows "
            f"({plan.creates:,} created, {plan.updates:,} updated, {plan.deletes:,} withdrawn, "
            f"{plan.unchanged:,} unchanged) in {self.chunks} chunks"
        )


def _send_plan(
    client: SocrataClient,
    connection: duckdb.DuckDBPyConnection,
    dataset: PublishedDataset,
    result: PublishResult,
    *,
    dataset_id: str,
    run_id: str,
    chunk_size: int,
    replace: bool = False,
    progress: Callable[[int, int], None] = lambda sent, total: None,
) -> None:
    if chunk_size < 1:
        raise ValueError(f"chunk_size must be at least 1, got {chunk_size}")
    total = result.plan.rows_to_send
    first = 1
    while first <= total or (replace and result.chunks == 0):
        last = min(first + chunk_size - 1, total)
        body = plan_body(connection, dataset, first, last)  # JSON text, rendered by DuckDB
        try:
            if replace and result.chunks == 0:
                answer = client.replace_json_text(dataset_id, body)
            else:
                answer = client.upsert_json_text(dataset_id, body)
        except RowErrors as error:
            try:
                answer = _resent_deletes_verified(
                    client, connection, dataset, dataset_id, (first, last), error
                )
            except SocrataError as unverified:
                raise _chunk_failure(
                    connection,
                    dataset_id,
                    result.chunks + 1,
                    chunk_size,
                    (first, last, total),
                    unverified,
                ) from error
        except SocrataError as error:
            raise _chunk_failure(
                connection, dataset_id, result.chunks + 1, chunk_size, (first, last, total), error
            ) from error
        record_chunk(
            connection,
            PLAN_TABLE,
            first,
            last,
            dataset_id=dataset_id,
            run_id=run_id,
            forget_first=replace and result.chunks == 0,
        )
        result.answers.append(answer)
        result.rows_sent += max(0, last - first + 1)
        result.bytes_sent += len(body)
        result.chunks += 1
        progress(result.rows_sent, total)
        first = last + 1


def _resent_deletes_verified(
    client: SocrataClient,
    connection: duckdb.DuckDBPyConnection,
    dataset: PublishedDataset,
    dataset_id: str,
    rows: tuple[int, int],
    error: RowErrors,
) -> dict[str, int]:
    """The portal's answer to a chunk whose only errors are deletes of rows already gone.

    Socrata counts the delete of an absent row as an error and applies the rest of the
    payload. A chunk is sent again after a timeout, a retry, or a run that died between the
    portal's answer and the ledger's commit; its deletes then find nothing. Such a chunk has
    done what it was sent for once every deleted row is verifiably absent and every other
    row was created or updated: it is recorded, so the ledger never wedges on it. Any other
    error stays an error.
    """
    first, last = rows
    deleted = [
        key
        for (key,) in connection.execute(
            f"select _row_id from {PLAN_TABLE} "
            "where _seq between ? and ? and _action = 'delete' order by _seq",
            [first, last],
        ).fetchall()
    ]
    answer = error.answer
    errors, written = (
        answer.get("Errors", 0),
        answer.get("Rows Created", 0) + answer.get("Rows Updated", 0),
    )
    upserts = (last - first + 1) - len(deleted)
    if errors > len(deleted) or written != upserts:
        raise SocrataError(
            f"{error}: {errors} errors in a chunk of {len(deleted)} deletes, and "
            f"{written} of its {upserts} other rows written"
        )
    still_there = client.present_keys(dataset_id, dataset.row_identifier, deleted)
    if still_there:
        raise SocrataError(
            f"{error}, and {len(still_there)} rows it deletes are still on the portal, "
            f"such as {sorted(still_there)[0]!r}"
        )
    log.warning(
        "%s: %d deletes of rows already gone (a chunk sent again); verified absent, recorded",
        dataset_id,
        errors,
    )
    return answer


def check_dataset(client: SocrataClient, dataset: PublishedDataset, dataset_id: str) -> None:
    """Stop before sending anything when the portal's dataset cannot take the mart's rows."""
    error = mismatch_error(dataset, dataset_id, client.get_view(dataset_id))
    if error is not None:
        raise error


def _publish(
    client: SocrataClient,
    connection: duckdb.DuckDBPyConnection,
    dataset: PublishedDataset,
    plan: PublishPlan,
    started: float,
    *,
    run_id: str,
    chunk_size: int,
    progress: Callable[[int, int], None],
    replace: bool = False,
) -> PublishResult:
    """Check the dataset can take the rows, send a staged plan, and time the whole publish."""
    result = PublishResult(plan=plan)
    check_dataset(client, dataset, plan.dataset_id)
    _send_plan(
        client,
        connection,
        dataset,
        result,
        dataset_id=plan.dataset_id,
        run_id=run_id,
        chunk_size=chunk_size,
        replace=replace,
        progress=progress,
    )
    result.seconds = round(time.monotonic() - started, 3)
    return result


def publish_window(
    client: SocrataClient,
    connection: duckdb.DuckDBPyConnection,
    dataset: PublishedDataset,
    window: DayWindow,
    *,
    dataset_id: str,
    run_id: str,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    progress: Callable[[int, int], None] = lambda sent, total: None,
    hold: Hold | None = None,
) -> PublishResult:
    """Make the portal's rows of the window equal the mart's, sending only what changed and
    what the release policy's `hold` does not keep back.

    (`plan.stage_delta_plan` alone is the dry run: it stages and counts, and sends nothing.)
    """
    started = time.monotonic()
    plan = stage_delta_plan(connection, dataset, window, dataset_id, hold)
    return _publish(
        client, connection, dataset, plan, started,
        run_id=run_id, chunk_size=chunk_size, progress=progress,
    )  # fmt: skip


def empty_replace_refusal(
    connection: duckdb.DuckDBPyConnection, dataset: PublishedDataset, dataset_id: str
) -> EmptyReplaceRefused | None:
    """The refusal of a full refresh whose mart is empty, or None when it has rows."""
    (in_mart,) = connection.execute(f"select count(*) from {dataset.mart_table}").fetchone()
    if in_mart:
        return None
    ensure_ledger(connection)
    (on_portal,) = connection.execute(
        f"select count(*) from {LEDGER_TABLE} where dataset_id = ?", [dataset_id]
    ).fetchone()
    return EmptyReplaceRefused(
        f"refusing to replace {dataset_id} with the empty mart {dataset.mart_table}: it would "
        f"delete every row of the public dataset ({on_portal:,} in the publish ledger). Nothing "
        "was sent. Rebuild the mart first; to empty the dataset on purpose, run the full "
        "refresh again with allow_empty: true."
    )


def replace_dataset(
    client: SocrataClient,
    connection: duckdb.DuckDBPyConnection,
    dataset: PublishedDataset,
    *,
    dataset_id: str,
    run_id: str,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    progress: Callable[[int, int], None] = lambda sent, total: None,
    allow_empty: bool = False,
    hold: Hold | None = None,
) -> PublishResult:
    """A deliberate full refresh: the portal's rows replaced by the whole mart.

    The first chunk replaces every row on the portal (Socrata's replace), the rest are
    upserted, and the ledger is rebuilt from what was sent. For a schema change; the daily
    publish never does this.

    An empty mart is refused (`EmptyReplaceRefused`, nothing sent) unless `allow_empty`:
    its replace would wipe every public row, and an empty mart is far more often a failed
    or half-done build than a dataset meant to be emptied. Rows the release policy's `hold`
    keeps back (still settling) are not sent: the publish of their day sends them later.
    """
    started = time.monotonic()
    if not allow_empty and (refusal := empty_replace_refusal(connection, dataset, dataset_id)):
        raise refusal
    plan = stage_full_plan(connection, dataset, dataset_id, hold)
    return _publish(
        client, connection, dataset, plan, started,
        run_id=run_id, chunk_size=chunk_size, replace=True, progress=progress,
    )  # fmt: skip
