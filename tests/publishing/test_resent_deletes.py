"""A chunk sent again after the portal applied it never wedges the ledger.

Socrata answers the delete of a row already gone with `"Errors": 1` and applies the rest
(../shared/socrata/docs/publishers_soda-producer_upsert.md, "If we were to retry that
operation again"); the local portal does the same. A resent chunk with deletes is recorded
once its deleted rows are verified absent, and any other error still fails the publish.
"""

from __future__ import annotations

import pytest
import requests

from orchestration.publishing.ledger import ledger_rows
from orchestration.publishing.plan import stage_delta_plan
from orchestration.publishing.send import _resent_deletes_verified, publish_window
from orchestration.socrata.client import RowErrors, SocrataError
from tests.publishing.conftest import DATASET, DATASET_ID, mart_row, portal_rows, writes
from tests.publishing.test_resume import WINDOW

KEPT, WITHDRAWN = range(0, 12), range(12, 20)


def publish(client, mart, run_id):
    with mart.connect() as connection:
        return publish_window(
            client, connection, DATASET, WINDOW, dataset_id=DATASET_ID, run_id=run_id, chunk_size=50
        )


def withdraw_some(client, mart) -> None:
    """Publish twenty calls, then take eight out of the mart: the next plan deletes them."""
    mart.write([mart_row(n) for n in (*KEPT, *WITHDRAWN)])
    publish(client, mart, "run-1")
    mart.write([mart_row(n) for n in KEPT])


def queue_fault(portal, **fault) -> None:
    requests.post(f"{portal.url}/_portal/faults", json=fault, timeout=5).raise_for_status()


def test_a_chunk_whose_answer_was_lost_after_it_was_applied_is_sent_again_and_recorded(
    client, mart, portal
):
    withdraw_some(client, mart)
    # The portal applies the chunk, then the answer is cut short: the client asks again,
    # and the second answer counts the eight deletes, already done, as errors.
    queue_fault(portal, kind="truncated", count=1, path_prefix=f"/resource/{DATASET_ID}")

    result = publish(client, mart, "run-2")

    answers = [entry for entry in writes(portal) if entry.get("status") == 200]
    assert result.plan.deletes == len(WITHDRAWN)
    assert len(answers) >= 2, "the chunk was sent twice"
    expected = sorted(mart_row(n)["nopd_item"] for n in KEPT)
    assert sorted(portal_rows(client)) == expected
    with mart.connect() as connection:
        assert sorted(ledger_rows(connection, DATASET_ID)) == expected


def test_errors_beyond_the_chunks_deletes_fail_the_publish(client, mart):
    withdraw_some(client, mart)
    with mart.connect() as connection:
        plan = stage_delta_plan(connection, DATASET, WINDOW, DATASET_ID)
        answer = {"Errors": plan.deletes + 1, "Rows Created": 0, "Rows Updated": 0}

        with pytest.raises(SocrataError, match="errors in a chunk of 8 deletes"):
            _resent_deletes_verified(
                client, connection, DATASET, DATASET_ID, (1, plan.rows_to_send),
                RowErrors("rejected", answer),
            )  # fmt: skip


def test_a_delete_answered_as_an_error_while_the_row_is_still_there_fails_the_publish(client, mart):
    withdraw_some(client, mart)  # the eight rows are still on the portal
    with mart.connect() as connection:
        plan = stage_delta_plan(connection, DATASET, WINDOW, DATASET_ID)
        answer = {"Errors": 1, "Rows Created": 0, "Rows Updated": 0}

        with pytest.raises(SocrataError, match="still on the portal"):
            _resent_deletes_verified(
                client, connection, DATASET, DATASET_ID, (1, plan.rows_to_send),
                RowErrors("rejected", answer),
            )  # fmt: skip
