"""Numbers, money, moments and durations in the reader's language, through Babel: the one place where
the UI formats them. The locale is the current one of aiogram's i18n context (the reader's, set per
update, or per chat when the outbox renders), unless given."""

from __future__ import annotations

import unicodedata
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_datetime, format_timedelta
from babel.numbers import format_currency, format_decimal, format_percent, get_currency_symbol

from handlers.i18n import current_locale

NBSP = "\u00a0"


def number(value: int | Decimal, locale: str | None = None) -> str:
    """12345 → "12,345" (en), "12 345" (ru)."""
    return format_decimal(value, locale=locale or current_locale())


def money(amount: Decimal | None, currency: str | None, locale: str | None = None) -> str:
    """250000 RUB → "RUB 250,000.00" (en), "250 000,00 ₽" (ru); "—" for no amount."""
    if amount is None:
        return "—"
    locale = locale or current_locale()
    code = (currency or "RUB").upper()
    return _spaced(format_currency(amount, code, locale=locale), get_currency_symbol(code, locale))


def whole_money(amount: Decimal, currency: str, locale: str | None = None) -> str:
    """A whole sum without its zero kopecks or cents: "1 500 ₽", "€1,500", "1 500,50 ₽"."""
    locale = locale or current_locale()
    if amount != amount.to_integral_value():
        return format_currency(amount, currency, locale=locale)
    pattern = Locale.parse(locale).currency_formats["standard"].pattern.split(";")[0]
    whole = pattern.replace(".00", "")
    return format_currency(amount, currency, format=whole, locale=locale, currency_digits=False)


def percent(value: float, locale: str | None = None) -> str:
    """12.5 → "12.5%" (en), "12,5 %" (ru)."""
    return format_percent(
        Decimal(str(value)) / 100, locale=locale or current_locale(), decimal_quantization=False
    )


def _spaced(text: str, symbol: str) -> str:
    """CLDR's currency spacing, which Babel leaves out: a symbol that is not a sign ("RUB", not "₽" or
    "$") is kept apart from the digits by a no-break space, so English reads "RUB 250,000.00"."""
    if not symbol or symbol not in text:
        return text
    before, _found, after = text.partition(symbol)
    if after[:1].isdigit() and not _is_sign(symbol[-1]):
        after = NBSP + after
    if before[-1:].isdigit() and not _is_sign(symbol[0]):
        before += NBSP
    return before + symbol + after


def _is_sign(char: str) -> bool:
    return unicodedata.category(char)[0] in "SZ"


def moment(value: datetime, zone: ZoneInfo, locale: str | None = None) -> str:
    """A moment on the reader's clock: "26 Nov 11:00" (en), "26 нояб. 11:00" (ru)."""
    return format_datetime(value.astimezone(zone), "d MMM HH:mm", locale=locale or current_locale())


def day(value: datetime, zone: ZoneInfo, locale: str | None = None) -> str:
    """The reader's calendar day: "Nov 26, 2026" (en), "26 нояб. 2026 г." (ru)."""
    return format_date(value.astimezone(zone), "medium", locale=locale or current_locale())


def ago(value: datetime, now: datetime, locale: str | None = None) -> str:
    """How long ago: "3 hours" (en), "3 часа" (ru)."""
    return format_timedelta(now - value, locale=locale or current_locale(), threshold=1.0)


def duration(seconds: int, locale: str | None = None) -> str:
    """A short duration: "35 s" (en), "35 с" (ru)."""
    return format_timedelta(
        timedelta(seconds=seconds), granularity="second", format="short", locale=locale or current_locale()
    )
