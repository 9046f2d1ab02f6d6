"""When is "tomorrow 10:00"? Presets and free text (ru/en) read in the user's own time zone."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from leadbot.errors import InvalidTime, TimeInPast

MAX_TEXT = 64
_DAY_MONTH = re.compile(r"(\d{1,2})\.(\d{1,2})(?:\.(\d{4}))?(?:\s+(\d{1,2})[:.](\d{2}))?")


class Preset(StrEnum):
    IN_15_MIN = "15m"
    IN_1_HOUR = "1h"
    TODAY_18 = "t18"
    TOMORROW_10 = "m10"
    NEXT_MONDAY_10 = "w10"


def _at(day: datetime, hour: int, zone: ZoneInfo) -> datetime:
    """Wall-clock time on a local day: a 10:00 stays 10:00 across daylight-saving changes."""
    return datetime.combine(day.date(), time(hour), tzinfo=zone)


def preset_time(preset: Preset, now: datetime, zone: ZoneInfo) -> datetime:
    local = now.astimezone(zone)
    match preset:
        case Preset.IN_15_MIN:
            return now + timedelta(minutes=15)
        case Preset.IN_1_HOUR:
            return now + timedelta(hours=1)
        case Preset.TODAY_18:
            return _at(local, 18, zone)
        case Preset.TOMORROW_10:
            return _at(local + timedelta(days=1), 10, zone)
        case Preset.NEXT_MONDAY_10:
            return _at(local + timedelta(days=7 - local.weekday()), 10, zone)


def _day_month(text: str, local_now: datetime) -> datetime | None:
    """ "23.11 18:00" or "23.11.2026 18:00" (dateparser misreads the first as a number)."""
    match = _DAY_MONTH.fullmatch(text)
    if match is None:
        return None
    day, month, year, hour, minute = (int(group) if group else None for group in match.groups())
    try:
        moment = datetime(year or local_now.year, month or 1, day or 1, hour or 0, minute or 0)
    except ValueError:
        return None
    if year is None and moment.date() < local_now.date():
        moment = moment.replace(year=local_now.year + 1)
    return moment


def parse_when(text: str, now: datetime, zone: ZoneInfo) -> datetime:
    """ "25.11 14:30", "завтра 9:00", "in 2h", "через 15 минут" → an aware datetime in the future."""
    cleaned = " ".join(text.split())[:MAX_TEXT]
    local_now = now.astimezone(zone).replace(tzinfo=None)
    parsed = _day_month(cleaned, local_now)
    if parsed is None and cleaned:
        import dateparser  # here, not at the top: ~3 MB held from the start for a reminder's typed time

        parsed = dateparser.parse(
            cleaned,
            languages=["ru", "en"],
            settings={"RELATIVE_BASE": local_now, "PREFER_DATES_FROM": "future", "DATE_ORDER": "DMY"},
        )
    if parsed is None:
        raise InvalidTime(value=cleaned)
    moment = parsed.replace(tzinfo=zone) if parsed.tzinfo is None else parsed
    return require_future(moment, now)


def require_future(moment: datetime, now: datetime) -> datetime:
    if moment <= now:
        raise TimeInPast(value=moment.strftime("%d.%m %H:%M"))
    return moment
