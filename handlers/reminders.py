"""Reminder messages (Done, Snooze, Delete, Open lead), nudges, the morning digest and /today."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram.utils.keyboard import InlineKeyboardBuilder

from db.models import Activity
from handlers.callbacks import OpenCb, ReminderCb, ReminderOp, TakeCb
from handlers.cards import ACTIVITY_KINDS
from handlers.formats import moment
from handlers.i18n import _
from handlers.render import clip, esc, fit
from handlers.states import CommentText, RescheduleTime
from handlers.telegram_io import edit, pressed_message
from leadbot.actor import Actor
from leadbot.clock import Clock
from leadbot.config import Settings
from leadbot.rendering import Rendered
from leadbot.services.activities import ActivityService
from leadbot.services.nudges import end_of_local_day
from leadbot.services.queries import LeadQueries, LeadRow
from leadbot.when import Preset, parse_when, preset_time


def _more(n: int) -> str:
    return _("…and {count} more").format(count=n)


def activity_line(activity: Activity, zone: ZoneInfo, now: datetime, titles: dict[int, str]) -> str:
    icon, kind = ACTIVITY_KINDS.get(activity.kind, ("⏰", ""))
    due = activity.due_at or now
    overdue = "⚠️ " if due < now else ""
    lead = (
        f" · #{activity.lead_id} {esc(clip(titles.get(activity.lead_id or 0, ''), 40))}"
        if activity.lead_id
        else ""
    )
    note = f" · {esc(clip(activity.note, 60))}" if activity.note else ""
    return f"{overdue}{moment(due, zone)} {icon} {kind}{lead}{note}"


def reminder_keyboard(activity: Activity) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    kb.button(text="✅ " + _("Done"), callback_data=ReminderCb(op=ReminderOp.DONE, id=activity.id))
    kb.button(text="💤 " + _("15 min"), callback_data=ReminderCb(op=ReminderOp.SNOOZE_15, id=activity.id))
    kb.button(text="💤 " + _("1 hour"), callback_data=ReminderCb(op=ReminderOp.SNOOZE_HOUR, id=activity.id))
    kb.button(
        text="💤 " + _("Tomorrow"), callback_data=ReminderCb(op=ReminderOp.SNOOZE_TOMORROW, id=activity.id)
    )
    kb.button(text="🗓 " + _("Other time"), callback_data=ReminderCb(op=ReminderOp.RESCHEDULE, id=activity.id))
    if activity.lead_id is not None:
        kb.button(text="📂 " + _("Open lead"), callback_data=OpenCb(lead_id=activity.lead_id))
    kb.button(text="🗑 " + _("Delete"), callback_data=ReminderCb(op=ReminderOp.DELETE, id=activity.id))
    kb.adjust(1, 3, 3)
    return kb.as_markup()


def reminder_text(activity: Activity, title: str, zone: ZoneInfo, *, late: bool) -> str:
    icon, kind = ACTIVITY_KINDS.get(activity.kind, ("⏰", ""))
    lines = [f"{icon} <b>{kind}</b> · {moment(activity.due_at or datetime.now(zone), zone)}"]
    if late:
        lines.append("⚠️ " + _("Late: the bot was not running at that time."))
    if activity.lead_id is not None:
        lines.append(_("Lead #{id}: {title}").format(id=activity.lead_id, title=esc(clip(title, 120))))
    if activity.note:
        lines.append("💬 " + esc(clip(activity.note, 600)))
    return "\n".join(lines)


def notice_text(key: str, lead: LeadRow, minutes: int) -> str:
    title = esc(clip(lead.title, 80))
    if key == "sla_escalation":
        return "🚨 " + _(
            "Lead #{id} ({title}) has waited {minutes} working minutes and nobody took it."
        ).format(id=lead.id, title=title, minutes=minutes)
    return "⏰ " + _("Lead #{id} ({title}) is waiting {minutes} min with nobody on it. Who takes it?").format(
        id=lead.id, title=title, minutes=minutes
    )


def notice_keyboard(lead_id: int, version: int) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    kb.button(text="🙋 " + _("Take"), callback_data=TakeCb(lead_id=lead_id, v=version))
    kb.button(text="📂 " + _("Open lead"), callback_data=OpenCb(lead_id=lead_id))
    return kb.as_markup()


def agenda_text(
    heading: str,
    items: Sequence[Activity],
    zone: ZoneInfo,
    now: datetime,
    titles: dict[int, str],
    waiting: int,
) -> str:
    lines = [heading]
    lines += [activity_line(item, zone, now, titles) for item in items] or [_("Nothing planned for today.")]
    lines.append(_("Open leads waiting for you: {count} (/my)").format(count=waiting))
    return fit(lines, _more)


async def agenda(
    activities: ActivityService,
    queries: LeadQueries,
    clock: Clock,
    user_id: int,
    zone: ZoneInfo,
    heading: str,
) -> Rendered:
    now = clock.now()
    items = await activities.agenda(user_id, end_of_local_day(now, zone))
    titles = {row.id: row.title for row in await queries.rows([a.lead_id for a in items if a.lead_id])}
    waiting = (await queries.open_of(user_id)).total
    return Rendered(agenda_text(heading, items, zone, now, titles, waiting))


async def today_command(
    message: Message,
    activities: ActivityService,
    queries: LeadQueries,
    clock: Clock,
    settings: Settings,
    me: Actor,
) -> None:
    zone = me.zone(settings.timezone)
    rendered = await agenda(activities, queries, clock, me.id, zone, "📅 <b>" + _("Today") + "</b>")
    await message.answer(rendered.text)


async def reschedule_asked(query: CallbackQuery, callback_data: ReminderCb, state: FSMContext) -> None:
    await state.set_state(RescheduleTime.when)
    await state.update_data(activity_id=callback_data.id)
    message = pressed_message(query)
    if message is not None:
        await message.answer(_("When? For example: 25.11 14:30, tomorrow 9:00, in 2h. /cancel to keep it."))


async def reminder_pressed(
    query: CallbackQuery,
    callback_data: ReminderCb,
    activities: ActivityService,
    clock: Clock,
    settings: Settings,
    me: Actor,
    state: FSMContext,
    callback_answer: CallbackAnswer,
) -> None:
    zone, now = me.zone(settings.timezone), clock.now()
    activity: Activity | None = None
    if callback_data.op is ReminderOp.DONE:
        activity = await activities.done(callback_data.id, me)
        outcome = "✅ " + _("Done.")
    elif callback_data.op is ReminderOp.DELETE:
        await activities.delete(callback_data.id, me)
        outcome = "🗑 " + _("Deleted.")
    else:
        until = snooze_until(callback_data.op, now, zone)
        activity = await activities.snooze(callback_data.id, until, me)
        outcome = "💤 " + _("Moved to {when}.").format(when=moment(until, zone))
    message = pressed_message(query)
    if message is not None:
        await edit(message, Rendered(f"{message.html_text}\n\n{outcome}"))
        if callback_data.op is ReminderOp.DONE and activity is not None and activity.lead_id is not None:
            await state.set_state(CommentText.text)  # the result is a comment on the lead's timeline
            await state.update_data(lead_id=activity.lead_id)
            await message.answer(_("How did it go? Write the result for the lead's timeline, or /cancel."))
    callback_answer.text = outcome


def snooze_until(op: ReminderOp, now: datetime, zone: ZoneInfo) -> datetime:
    if op is ReminderOp.SNOOZE_15:
        return now + timedelta(minutes=15)
    if op is ReminderOp.SNOOZE_HOUR:
        return now + timedelta(hours=1)
    return preset_time(Preset.TOMORROW_10, now, zone)


async def reschedule_text(
    message: Message,
    state: FSMContext,
    activities: ActivityService,
    clock: Clock,
    settings: Settings,
    me: Actor,
) -> None:
    data = await state.get_data()
    zone = me.zone(settings.timezone)
    until = parse_when(message.text or "", clock.now(), zone)
    await activities.snooze(int(data["activity_id"]), until, me)
    await state.clear()
    await message.answer("🗓 " + _("Moved to {when}.").format(when=moment(until, zone)))


def router() -> Router:
    routes = Router(name="reminders")
    routes.message.register(today_command, Command("today"))
    routes.callback_query.register(reschedule_asked, ReminderCb.filter(F.op == ReminderOp.RESCHEDULE))
    routes.callback_query.register(reminder_pressed, ReminderCb.filter())
    routes.message.register(reschedule_text, RescheduleTime.when, F.text, ~F.text.startswith("/"))
    return routes
