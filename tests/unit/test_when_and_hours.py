from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from leadbot.errors import InvalidTime, TimeInPast
from leadbot.when import Preset, parse_when, preset_time
from leadbot.work_hours import WorkHours, working_minutes

MOSCOW = ZoneInfo("Europe/Moscow")
BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # Monday, 12:00 in Moscow


@pytest.mark.parametrize(
    ("text", "expected_local"),
    [
        ("25.11 14:30", datetime(2026, 11, 25, 14, 30)),
        ("25.11.2026 14:30", datetime(2026, 11, 25, 14, 30)),
        ("завтра 9:00", datetime(2026, 11, 24, 9, 0)),
        ("tomorrow 10:00", datetime(2026, 11, 24, 10, 0)),
        ("in 2h", datetime(2026, 11, 23, 14, 0)),
        ("через 15 минут", datetime(2026, 11, 23, 12, 15)),
        ("18:00", datetime(2026, 11, 23, 18, 0)),
        ("10.01 09:00", datetime(2027, 1, 10, 9, 0)),
    ],
)
def test_free_text_times_in_the_users_zone(text: str, expected_local: datetime) -> None:
    assert parse_when(text, NOW, MOSCOW) == expected_local.replace(tzinfo=MOSCOW)


@pytest.mark.parametrize("text", ["", "когда-нибудь", "asdf", "32.13 25:99", "x" * 200])
def test_nonsense_is_refused(text: str) -> None:
    with pytest.raises(InvalidTime):
        parse_when(text, NOW, MOSCOW)


@pytest.mark.parametrize("text", ["вчера", "yesterday 10:00", "23.11 11:00"])
def test_past_is_refused(text: str) -> None:
    with pytest.raises(TimeInPast):
        parse_when(text, NOW, MOSCOW)


def test_presets_are_local_wall_clock_times() -> None:
    assert preset_time(Preset.TOMORROW_10, NOW, MOSCOW) == datetime(2026, 11, 24, 10, tzinfo=MOSCOW)
    assert preset_time(Preset.TODAY_18, NOW, MOSCOW) == datetime(2026, 11, 23, 18, tzinfo=MOSCOW)
    assert preset_time(Preset.NEXT_MONDAY_10, NOW, MOSCOW) == datetime(2026, 11, 30, 10, tzinfo=MOSCOW)
    yekaterinburg = ZoneInfo("Asia/Yekaterinburg")
    assert preset_time(Preset.TOMORROW_10, NOW, yekaterinburg).astimezone(UTC).hour == 5


def test_daylight_saving_does_not_shift_a_ten_oclock_reminder() -> None:
    saturday = datetime(2026, 10, 24, 12, 0, tzinfo=UTC)  # Berlin leaves summer time that night
    reminder = preset_time(Preset.TOMORROW_10, saturday, BERLIN)
    assert reminder.astimezone(BERLIN).hour == 10
    assert reminder.astimezone(UTC).hour == 9  # 10:00 CET, not 10:00 CEST (08:00 UTC)


def test_working_minutes_pause_at_night_and_on_weekends() -> None:
    hours = WorkHours.parse("09:00-19:00 Mon-Fri")
    assert hours is not None
    friday_evening = datetime(2026, 11, 27, 18, 50, tzinfo=MOSCOW)
    monday_morning = datetime(2026, 11, 30, 9, 20, tzinfo=MOSCOW)
    assert working_minutes(hours, friday_evening, monday_morning, MOSCOW) == 30
    assert not hours.is_open(datetime(2026, 11, 28, 12, 0, tzinfo=MOSCOW), MOSCOW)
    assert working_minutes(None, friday_evening, monday_morning, MOSCOW) == 60 * 24 * 2 + 14 * 60 + 30


@pytest.mark.parametrize("spec", ["9-19", "19:00-09:00", "09:00-19:00 Someday"])
def test_bad_working_hours_are_refused(spec: str) -> None:
    with pytest.raises(ValueError, match=r"working hours|unknown day"):
        WorkHours.parse(spec)
