"""/report: choose a report, then a period; get the figures laid out for a phone, and a chart."""

from __future__ import annotations

import asyncio
import re
from datetime import MAXYEAR, MINYEAR, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import BufferedInputFile, CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.keyboard import InlineKeyboardBuilder
from babel.dates import format_interval

from handlers.callbacks import OutdatedButton, Period, ReportCb
from handlers.i18n import _, __, current_locale
from handlers.render import esc
from handlers.report_text import chat_text
from handlers.states import ReportPeriod
from handlers.telegram_io import answer_long, edit_markup, pressed_message
from leadbot.actor import Actor
from leadbot.clock import Clock
from leadbot.config import Settings
from leadbot.errors import InvalidValue
from leadbot.i18n_marker import N_
from leadbot.rendering import Rendered
from leadbot.reporting import chart_png
from leadbot.services.nudges import last_week
from leadbot.services.reports import Report, ReportName, ReportService

TITLES = {
    ReportName.MANAGERS: __("By manager"),
    ReportName.STATUSES: __("By status"),
    ReportName.SOURCES: __("By source"),
    ReportName.FUNNEL: __("Funnel"),
    ReportName.JUNK: __("Junk"),
    ReportName.SPEED: __("Speed"),
    ReportName.REPEAT: __("Repeat clients"),
}
PERIODS = {
    Period.TODAY: __("Today"),
    Period.WEEK: __("This week"),
    Period.MONTH: __("This month"),
    Period.LAST_30: __("Last 30 days"),
    Period.TYPED: __("Dates…"),
}
_RANGE = re.compile(
    r"^\s*(\d{1,2})\.(\d{1,2})(?:\.(\d{4}))?\s*[-–—]\s*(\d{1,2})\.(\d{1,2})(?:\.(\d{4}))?\s*$"
)


def period_bounds(code: Period, now: datetime, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """[since, until) of a named period, in the user's time zone."""
    today = now.astimezone(zone).date()

    def midnight(day: date) -> datetime:
        return datetime.combine(day, time(0), tzinfo=zone)

    if code is Period.WEEK:
        monday = today - timedelta(days=today.weekday())
        return midnight(monday), midnight(monday + timedelta(days=7))
    if code is Period.MONTH:
        first = today.replace(day=1)
        following = (first + timedelta(days=32)).replace(day=1)
        return midnight(first), midnight(following)
    if code is Period.LAST_30:
        return midnight(today - timedelta(days=29)), midnight(today + timedelta(days=1))
    return midnight(today), midnight(today + timedelta(days=1))


def parse_range(text: str, now: datetime, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """ "01.11-15.11" or "01.11.2026-15.11.2026", both days included."""
    match = _RANGE.match(text)
    if match is None:
        raise InvalidValue(field=N_("period"), value=text[:40])
    d1, m1, y1, d2, m2, y2 = match.groups()
    year = now.astimezone(zone).year
    try:
        first = date(int(y1 or year), int(m1), int(d1))
        last = date(int(y2 or y1 or year), int(m2), int(d2))
    except ValueError:
        raise InvalidValue(field=N_("period"), value=text[:40]) from None
    if first.year == MINYEAR or last.year == MAXYEAR:  # the day after, and UTC, must stay in range
        raise InvalidValue(field=N_("period"), value=text[:40])
    return datetime.combine(first, time(0), tzinfo=zone), datetime.combine(
        last + timedelta(days=1), time(0), tzinfo=zone
    )


WEEKLY = (ReportName.MANAGERS, ReportName.SOURCES, ReportName.FUNNEL)


def period_text(since: datetime, until: datetime, locale: str) -> str:
    """[since, until) as the reader writes a span of days: "2–8 нояб. 2026 г.", "Nov 2 – 8, 2026"."""
    return format_interval(since.date(), (until - timedelta(days=1)).date(), "yMMMd", locale=locale)


async def weekly_summary(reports: ReportService, clock: Clock, zone: ZoneInfo, locale: str) -> Rendered:
    """Last week's figures for everyone (the reader is a supervisor or an admin), laid out as /report."""
    since, until = last_week(clock.now(), zone)
    parts = [
        "🗓 <b>" + esc(_("Last week: {period}").format(period=period_text(since, until, locale))) + "</b>"
    ]
    for name in WEEKLY:
        report = await reports.build(name, since, until, locale=locale)
        parts.append(chat_text(report, _, locale, str(TITLES[name])))
    return Rendered("\n\n".join(parts))


def reports_menu() -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    for name, title in TITLES.items():
        kb.button(text=str(title), callback_data=ReportCb(name=name))
    kb.adjust(2)
    return kb.as_markup()


def periods_menu(name: ReportName) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    for code, title in PERIODS.items():
        kb.button(text=str(title), callback_data=ReportCb(name=name, period=code))
    kb.adjust(2)
    return kb.as_markup()


async def report_command(message: Message) -> None:
    await message.answer("📊 " + _("Which report?"), reply_markup=reports_menu())


async def send_report(
    message: Message, reports: ReportService, me: Actor, name: ReportName, since: datetime, until: datetime
) -> None:
    locale = current_locale()
    report: Report = await reports.build(name, since, until, by=me, locale=locale)
    title = f"{TITLES[name]}: {period_text(since, until, locale)}"
    await answer_long(message, chat_text(report, _, locale, title))
    if not report.is_empty:  # the text says there is nothing to show
        chart = await asyncio.to_thread(chart_png, report, _, title, locale)  # drawing takes a while
        await message.answer_photo(BufferedInputFile(chart, filename=f"{name.value}.png"))


async def report_pressed(
    query: CallbackQuery,
    callback_data: ReportCb,
    reports: ReportService,
    clock: Clock,
    settings: Settings,
    me: Actor,
    state: FSMContext,
) -> None:
    message = pressed_message(query)
    if message is None:
        raise OutdatedButton()
    name, period = callback_data.name, callback_data.period
    if period is None:
        await edit_markup(message, periods_menu(name))
    elif period is Period.TYPED:
        await state.set_state(ReportPeriod.dates)
        await state.update_data(report=name.value)
        await message.answer(_("Which days? For example: 01.11-15.11 or 01.10.2026-31.10.2026"))
    else:
        since, until = period_bounds(period, clock.now(), me.zone(settings.timezone))
        await send_report(message, reports, me, name, since, until)


async def typed_period(
    message: Message, state: FSMContext, reports: ReportService, clock: Clock, settings: Settings, me: Actor
) -> None:
    data = await state.get_data()
    since, until = parse_range(message.text or "", clock.now(), me.zone(settings.timezone))
    await send_report(message, reports, me, ReportName(str(data["report"])), since, until)
    await state.clear()


def router() -> Router:
    routes = Router(name="reports")
    routes.message.register(report_command, Command("report"))
    routes.callback_query.register(report_pressed, ReportCb.filter())
    routes.message.register(typed_period, ReportPeriod.dates, F.text, ~F.text.startswith("/"))
    return routes
