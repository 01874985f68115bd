"""A portal's refusal fails a step at once; other trouble is left to the retry policy."""

from __future__ import annotations

import dagster as dg
import pytest

from orchestration.defs.policies import portal_refusals_not_retried
from orchestration.publishing.send import PublishError
from orchestration.socrata.client import PortalRefused, SocrataError


def test_a_refusal_inside_a_publish_error_fails_the_step_without_retries():
    refusal = PortalRefused("upsert failed with 400: Illegal field name sent: newfield", 400)
    with pytest.raises(dg.Failure) as failure, portal_refusals_not_retried():
        try:
            raise refusal
        except PortalRefused as error:
            raise PublishError(f"publishing failed at chunk 1. Cause: {error}") from error
    assert failure.value.allow_retries is False
    assert "Illegal field name sent: newfield" in failure.value.description


def test_a_transient_portal_error_is_left_to_the_retry_policy():
    with pytest.raises(SocrataError, match="failed with 503"), portal_refusals_not_retried():
        raise SocrataError("query failed with 503 on data.nola.gov: Service Unavailable")


def test_an_error_raised_while_handling_a_refusal_is_not_taken_for_one():
    with pytest.raises(SocrataError, match="cleanup"), portal_refusals_not_retried():
        try:
            raise PortalRefused("revision failed with 400", 400)
        except PortalRefused:
            raise SocrataError("cleanup failed with 503")  # noqa: B904 - the point
