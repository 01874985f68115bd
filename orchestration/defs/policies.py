"""Policies every asset of the platform shares: who owns it, how a portal step retries."""

from collections.abc import Iterator
from contextlib import contextmanager

import dagster as dg

from orchestration.socrata.client import refusal_in

OWNERS = ["team:data-engineering"]

# Steps that read from or write to a portal: a timeout or a 5xx often passes within a minute.
PORTAL_RETRY_POLICY = dg.RetryPolicy(max_retries=2, delay=10, backoff=dg.Backoff.EXPONENTIAL)


@contextmanager
def portal_refusals_not_retried() -> Iterator[None]:
    """A portal's refusal (a 4xx other than 429) fails the step at once, with its reason.

    `PORTAL_RETRY_POLICY` is for trouble that passes; a refused request is refused again, so
    retrying it only delays the failure (twice 10 s and more) and buries the reason.
    """
    try:
        yield
    except Exception as error:
        if refusal_in(error) is None:
            raise
        raise dg.Failure(description=str(error), allow_retries=False) from error
