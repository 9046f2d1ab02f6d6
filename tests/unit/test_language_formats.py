"""One formatting module for the UI: Babel's numbers, money and moments per locale."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from handlers.formats import ago, day, duration, moment, money, number
from tests.conftest import at

NBSP = "\u00a0"


@pytest.mark.parametrize(
    ("currency", "locale", "expected"),
    [
        ("RUB", "en", f"RUB{NBSP}250,000.00"),  # a letter code stands apart from the digits (CLDR)
        ("RUB", "ru", f"250{NBSP}000,00{NBSP}₽"),
        ("USD", "en", "$250,000.00"),  # a sign does not
        ("USD", "ru", f"250{NBSP}000,00{NBSP}$"),
        ("KZT", "en", f"KZT{NBSP}250,000.00"),
        (None, "ru", f"250{NBSP}000,00{NBSP}₽"),
    ],
)
def test_money_per_locale(currency: str | None, locale: str, expected: str) -> None:
    assert money(Decimal("250000"), currency, locale) == expected


def test_no_amount_and_numbers() -> None:
    assert money(None, "RUB", "en") == "—"
    assert (number(1234567, "en"), number(1234567, "ru")) == ("1,234,567", f"1{NBSP}234{NBSP}567")
    assert number(Decimal("1500.5"), "ru") == f"1{NBSP}500,5"


def test_moments_days_and_durations_on_the_readers_clock() -> None:
    late_evening = at(3, 22, 30)  # 22:30 UTC is already the next day in Moscow
    moscow = ZoneInfo("Europe/Moscow")
    assert moment(late_evening, moscow, "en").endswith(" 01:30")
    assert moment(late_evening, ZoneInfo("UTC"), "ru").endswith(" 22:30")
    assert day(late_evening, moscow, "en") != day(late_evening, ZoneInfo("UTC"), "en")
    assert day(late_evening, moscow, "ru").endswith("г.")
    assert ago(late_evening - timedelta(hours=3), late_evening, "ru") == "3 часа"
    assert (duration(35, "en"), duration(35, "ru")) == ("35 sec", "35 с")
