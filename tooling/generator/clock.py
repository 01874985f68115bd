"""Wall-clock rules of the CAD export: New Orleans local time, written as floating timestamps.

The CAD stores local time without a zone (``2022-01-01T01:07:00.000``), so the generator works
in naive local datetimes and only has to respect daylight saving time (America/Chicago, US rules
since 2007): the spring-forward hour never appears on a wall clock and the fall-back hour
happens twice. Getting this right matters because the pipeline converts these values to UTC.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from random import Random
from zoneinfo import ZoneInfo

import numpy as np

CITY = ZoneInfo("America/Chicago")


def is_spring_forward(day: date) -> bool:
    """Second Sunday of March: 02:00-02:59 does not exist."""
    return day.month == 3 and day.weekday() == 6 and 8 <= day.day <= 14


def is_fall_back(day: date) -> bool:
    """First Sunday of November: 01:00-01:59 is lived twice."""
    return day.month == 11 and day.weekday() == 6 and day.day <= 7


def hour_weights(day: date, hourly: tuple[float, ...]) -> list[tuple[int, float]]:
    """The day's call volume by hour, with the DST gap emptied and the repeated hour doubled."""
    weights = list(hourly)
    if is_spring_forward(day):
        weights[2] = 0.0
    elif is_fall_back(day):
        weights[1] *= 2
    return list(enumerate(weights))


def _spring_forward_instant(year: int) -> datetime:
    march_8 = date(year, 3, 8)
    second_sunday = march_8 + timedelta(days=(6 - march_8.weekday()) % 7)
    return datetime(year, 3, second_sunday.day, 2)


def _fall_back_instant(year: int) -> datetime:
    """02:00 daylight time on the first Sunday of November, when clocks go back to 01:00."""
    november_1 = date(year, 11, 1)
    first_sunday = november_1 + timedelta(days=(6 - november_1.weekday()) % 7)
    return datetime(year, 11, first_sunday.day, 2)


def floating(moment: datetime) -> str:
    """Socrata floating-timestamp text, e.g. ``2022-01-01T01:07:00.000``."""
    return moment.isoformat(timespec="milliseconds")


def system_timestamp(moment: datetime) -> str:
    """Socrata system-field text (UTC with a Z) of a local wall-clock moment, for `:updated_at`.

    Socrata keeps system fields in UTC, unlike the floating data columns.
    """
    instant = moment.replace(tzinfo=CITY).astimezone(UTC)
    return instant.strftime("%Y-%m-%dT%H:%M:%S.") + f"{instant.microsecond // 1000:03d}Z"


def garbled(moment: datetime, rng: Random) -> str:
    """An unparsable timestamp that still starts with its day, so text filters keep it there.

    Two shapes of hand-edited values: impossible clock fields, and a 12-hour clock pasted into
    the ISO form.
    """
    day = moment.date().isoformat()
    if rng.random() < 0.5:
        return f"{day}T24:{60 + int(rng.random() * 40)}:00.000"
    hour = moment.hour % 12 or 12
    return f"{day}T{hour}:{moment.minute:02d} {'PM' if moment.hour >= 12 else 'AM'}"


# --- The same rules over arrays of naive local times in epoch seconds (vectorised generator).

_EPOCH = datetime(1970, 1, 1)


def epoch_seconds(moment: datetime) -> int:
    """A naive local time as seconds since 1970-01-01 00:00 on the same wall clock."""
    return int((moment - _EPOCH).total_seconds())


def on_wall_clocks(moments: np.ndarray, created: np.ndarray, year: int) -> np.ndarray:
    """Wall-clock readings of ``moments``, for calls timed in elapsed time from ``created``.

    A call created before the spring-forward instant has every later event an hour later on
    the wall clock, out of the hour that does not exist. A call created before the fall-back
    instant (a creation in 01:00-01:59 that night is read as its first pass, daylight time)
    has every event from 02:00 daylight time on an hour earlier on the wall clock: lived in
    the repeated hour, a close can read earlier than its arrival, as the city's CAD writes it.
    """
    spring = epoch_seconds(_spring_forward_instant(year))
    fall = epoch_seconds(_fall_back_instant(year))
    ahead = np.where((created < spring) & (moments >= spring), 3600, 0)
    behind = np.where((created < fall) & (moments >= fall), 3600, 0)
    return moments + ahead - behind


def export_ticks(moments: np.ndarray) -> np.ndarray:
    """The first 10-minute boundary after each moment: when the export job wrote the row."""
    return (moments // 600 + 1) * 600


def utc_seconds(local: np.ndarray, year: int) -> np.ndarray:
    """Local wall-clock seconds as UTC seconds, as ``system_timestamp`` reads them.

    Like ``zoneinfo`` with ``fold=0``: the repeated fall-back hour is read as daylight time
    and a time in the spring-forward gap as standard time.
    """
    spring = epoch_seconds(_spring_forward_instant(year)) + 3600
    fall = epoch_seconds(_fall_back_instant(year))
    daylight = (local >= spring) & (local < fall)
    return local + np.where(daylight, 5 * 3600, 6 * 3600)
