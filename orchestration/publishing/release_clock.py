"""The release clock: what "now" is for a settling window.

A resource, so a test (or a steward replaying a day) can fix the time a run judges "closed
36 hours ago" by; left unset it is the real time.
"""

from __future__ import annotations

from datetime import UTC, datetime

import dagster as dg
from pydantic import Field


class ReleaseClock(dg.ConfigurableResource):
    now_utc: str | None = Field(
        default=None,
        description="ISO time (with offset, or UTC when naive) to use as now; unset: real time.",
    )

    def now(self) -> datetime:
        if not self.now_utc:
            return datetime.now(UTC)
        moment = datetime.fromisoformat(self.now_utc)
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
