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

CITY = ZoneInfo("America/Chicago")

EXPORT_TICK = timedelta(minutes=10)
_HOUR = timedelta(hours=1)


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


def on_wall_clock(moment: datetime, created: datetime) -> datetime:
    """Wall-clock reading of ``moment``, for a call timed in elapsed time from ``created``.

    A call created before the spring-forward instant has every later event an hour later on
    the wall clock; this keeps events in order and out of the hour that does not exist.
    """
    if created.month != 3 or moment < (jump := _spring_forward_instant(created.year)):
        return moment
    return moment + _HOUR if created < jump else moment


def _spring_forward_instant(year: int) -> datetime:
    march_8 = date(year, 3, 8)
    second_sunday = march_8 + timedelta(days=(6 - march_8.weekday()) % 7)
    return datetime(year, 3, second_sunday.day, 2)


def floating(moment: datetime) -> str:
    """Socrata floating-timestamp text, e.g. ``2022-01-01T01:07:00.000``."""
    return moment.isoformat(timespec="milliseconds")


def system_timestamp(moment: datetime) -> str:
    """Socrata system-field text (UTC with a Z) of a local wall-clock moment, for `:updated_at`.

    Socrata keeps system fields in UTC, unlike the floating data columns.
    """
    instant = moment.replace(tzinfo=CITY).astimezone(UTC)
    return instant.strftime("%Y-%m-%dT%H:%M:%S.") + f"{instant.microsecond // 1000:03d}Z"


def export_tick(moment: datetime) -> datetime:
    """The first 10-minute boundary after ``moment``: when the export job wrote the row."""
    floor = moment.replace(minute=moment.minute - moment.minute % 10, second=0, microsecond=0)
    return floor + EXPORT_TICK


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
