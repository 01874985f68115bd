"""Under `settled` (the calls' default, 36 hours) a call is published only once it has been
closed for the settling hours: one closed 10 hours ago waits, counted as held, one closed 40
hours ago is published, and the settling sensor publishes the waiting one once it settles.

The clock is fixed through the `release_clock` resource, relative to the latest-closed call
of the day the run built.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import dagster as dg
import pytest

from orchestration.catalog import POLICE_RESPONSE_TIMES
from orchestration.publishing.release_clock import ReleaseClock
from tests.pipeline.conftest import DAY
from tests.pipeline.release_runs import (
    CFS,
    calls_lane,
    definitions,
    mart_calls,
    materialization_metadata,
    published_items,
    run,
)

pytestmark = pytest.mark.integration

CITY = ZoneInfo("America/Chicago")
PUBLISHES = [CFS.published_asset_key, POLICE_RESPONSE_TIMES.published_asset_key]


def instant(local: datetime) -> datetime:
    return local.replace(tzinfo=CITY).astimezone(UTC)


@pytest.fixture(scope="module")
def built(platform):
    """The day's calls built up to their mart (and review packet), nothing published yet."""
    defs = definitions(platform)
    models = [key for key in calls_lane(defs) if key not in PUBLISHES]
    assert run(platform, defs, DAY, assets=models).success
    calls = mart_calls(platform, DAY)
    latest = max(calls, key=lambda item: calls[item])
    now = instant(calls[latest]) + timedelta(hours=10)
    forty_hours_ago = now - timedelta(hours=40)
    early = next(item for item, closed in calls.items() if instant(closed) <= forty_hours_ago)
    return calls, latest, early, now


@pytest.fixture(scope="module")
def first_publish(platform, built):
    _, _, _, now = built
    result = run(platform, definitions(platform, now=now), DAY, assets=PUBLISHES)
    assert result.success
    return result


def test_a_call_closed_10_hours_ago_waits_and_one_closed_40_hours_ago_is_published(
    platform, built, first_publish
):
    calls, latest, early, now = built
    published = published_items(platform)
    assert early in published
    assert latest not in published
    metadata = materialization_metadata(first_publish, CFS.published_asset_key)
    settling = [i for i, closed in calls.items() if instant(closed) > now - timedelta(hours=36)]
    assert metadata["rows_held"] == len(settling) > 0
    assert set(published) == set(calls) - set(settling)
    settles_at = datetime.fromisoformat(metadata["held_days"][DAY.isoformat()]["settles_at"])
    assert settles_at == instant(calls[latest]) + timedelta(hours=36)


def test_held_rows_publish_on_a_later_run_once_settled(platform, built, first_publish):
    calls, latest, _, now = built
    defs = definitions(platform)
    sensor = defs.get_sensor_def(f"{CFS.name}_settled_rows")
    instance = dg.DagsterInstance.get()

    def tick(at: datetime, cursor: str | None):
        clock = ReleaseClock(now_utc=at.isoformat())
        context = dg.build_sensor_context(
            instance=instance, cursor=cursor, resources={"release_clock": clock}
        )
        return sensor(context)

    waiting = tick(now + timedelta(hours=1), None)
    assert not waiting.run_requests
    settled_at = instant(calls[latest]) + timedelta(hours=36)
    (request,) = tick(settled_at, waiting.cursor).run_requests
    assert request.partition_key == DAY.isoformat()
    assert set(request.asset_selection) == set(PUBLISHES)
    later = definitions(platform, now=settled_at)
    result = run(platform, later, DAY, assets=list(request.asset_selection))
    assert result.success
    assert set(published_items(platform)) == set(calls)
    assert materialization_metadata(result, CFS.published_asset_key)["rows_held"] == 0
