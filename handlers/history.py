"""A lead's change log, paged, sent to the presser's private chat (not to the whole group)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from aiogram.types import CallbackQuery
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram.utils.keyboard import InlineKeyboardBuilder

from db.enums import ActivityKind
from handlers.callbacks import HistoryCb
from handlers.cards import ACTION_LABELS
from handlers.formats import duration, moment, number
from handlers.i18n import _, __, current_locale
from handlers.render import clip, esc, fit
from handlers.telegram_io import edit, pressed_message
from leadbot.actor import Actor
from leadbot.config import Settings
from leadbot.normalize import format_phone
from leadbot.rendering import Rendered
from leadbot.services.history import CallNote, Change, HistoryService, Phone, Record, Value

HISTORY_PAGE = 15
FIELD_LABELS = {
    "assignee_id": __("assignee"),
    "status_code": __("status"),
    "source_code": __("source"),
    "junk_reason_code": __("junk reason"),
    "contact_id": __("contact"),
    "company_id": __("company"),
    "deal_id": __("deal"),
    "is_repeat": __("repeat"),
    "closed_at": __("closed"),
    "comment": __("comment"),
    "phone": __("phone"),
    "email": __("e-mail"),
    "telegram": "Telegram",
    "title": __("title"),
    "name": __("first name"),
    "second_name": __("middle name"),
    "last_name": __("last name"),
    "company_title": __("company"),
    "post": __("position"),
    "amount": __("amount"),
    "currency": __("currency"),
    # a reminder's changes are logged under its kind; a call's, under its direction
    ActivityKind.CALL: __("call"),
    ActivityKind.MEETING: __("meeting"),
    ActivityKind.TASK: __("task"),
    "in": __("incoming"),
    "out": __("outgoing"),
}


def value_text(value: Value, zone: ZoneInfo) -> str:
    """A history value in the reader's language and time zone, HTML-escaped."""
    match value:
        case None:
            return "—"
        case bool():
            return _("yes") if value else _("no")
        case Decimal():
            return number(value)
        case datetime():
            return moment(value, zone)
        case Record(id=record_id, title=title):
            return f"#{record_id} {esc(clip(title, 60))}" if title else f"#{record_id}"
        case Phone(e164=e164):
            return esc(format_phone(e164))
        case CallNote(answered=answered, seconds=seconds):
            return (_("answered") if answered else _("missed")) + ", " + duration(seconds)
        case str():
            return esc(clip(value, 60))
        case _:
            return esc(value.name(current_locale()))


def change_line(change: Change, zone: ZoneInfo) -> str:
    who = esc(change.who) if change.who is not None else _("system")
    line = f"{moment(change.at, zone)} · {who} · {ACTION_LABELS.get(change.action, esc(change.action))}"
    if change.field:
        label = FIELD_LABELS.get(change.field, esc(change.field))
        line += f": {label} {value_text(change.old, zone)} → {value_text(change.new, zone)}"
    return line


async def history_pressed(
    query: CallbackQuery,
    callback_data: HistoryCb,
    history: HistoryService,
    settings: Settings,
    me: Actor,
    callback_answer: CallbackAnswer,
) -> None:
    """The history goes to the presser's private chat; a press on the history message itself (paging,
    `page` given) edits it."""
    lead_id, page = callback_data.lead_id, callback_data.page or 0
    log = await history.log_of_lead(lead_id, offset=page * HISTORY_PAGE, limit=HISTORY_PAGE)
    zone = me.zone(settings.timezone)
    pages = max(1, -(-log.total // HISTORY_PAGE))
    head = "📜 <b>" + _("History of lead #{id}").format(id=lead_id) + f"</b> ({page + 1}/{pages})"
    lines = [head, *(change_line(change, zone) for change in log.changes)]
    kb = InlineKeyboardBuilder()
    if page > 0:
        kb.button(text="◀", callback_data=HistoryCb(lead_id=lead_id, page=page - 1))
    if page + 1 < pages:
        kb.button(text="▶", callback_data=HistoryCb(lead_id=lead_id, page=page + 1))
    rendered = Rendered(fit(lines, lambda n: _("…and {count} more").format(count=n)), kb.as_markup())
    message = pressed_message(query)
    private = message is not None and message.chat.id == me.telegram_id
    if callback_data.page is not None and message is not None and private:
        await edit(message, rendered)
    else:
        await query.bot.send_message(me.telegram_id, rendered.text, reply_markup=rendered.markup)  # type: ignore[union-attr]
    if not private:
        callback_answer.text = _("The history is in your private chat with the bot.")
