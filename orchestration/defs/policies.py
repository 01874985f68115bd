"""Policies every asset of the platform shares: who owns it, how a portal step retries."""

import dagster as dg

OWNERS = ["team:data-engineering"]

# Steps that read from or write to a portal: a timeout or a 5xx often passes within a minute.
PORTAL_RETRY_POLICY = dg.RetryPolicy(max_retries=2, delay=10, backoff=dg.Backoff.EXPONENTIAL)
