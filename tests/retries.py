"""The portal steps' retry policy as shipped, without its waits.

The platform waits 10 s and then 20 s before retrying a failed portal step
(orchestration/defs/policies.py); a test that fails a step on purpose would sleep half a
minute for nothing. Tests build their definitions with this policy instead: as many
retries, the same backoff, a twentieth of a second apart.
"""

import dagster as dg

from orchestration.defs.policies import PORTAL_RETRY_POLICY

QUICK_PORTAL_RETRIES = dg.RetryPolicy(
    max_retries=PORTAL_RETRY_POLICY.max_retries, delay=0.05, backoff=PORTAL_RETRY_POLICY.backoff
)
