"""A lead's change log, paged, sent to the presser's private chat (not to the whole group)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from aiogram.types import CallbackQuery
from aiogram.utils.keyboard import InlineKeyboardBuilder

from db.models import HistoryEntry
from handlers.callbacks import LeadCb, LeadOp
from handlers.cards import ACTION_LABELS, moment
from handlers.i18n import _, __
from handlers.render import clip, esc, fit
from handlers.telegram_io import edit, pressed_message, refuse
from leadbot.actor import Actor
from leadbot.delivery.worker import Rendered
from leadbot.errors import DomainError
from leadbot.services.registry import Services

HISTORY_PAGE = 15
FIELD_LABELS = {
    "assignee_id": __("assignee"),
    "status_code": __("status"),
    "junk_reason_code": __("junk reason"),
    "contact_id": __("contact"),
    "company_id": __("company"),
    "deal_id": __("deal"),
    "is_repeat": __("repeat"),
    "closed_at": __("closed"),
    "comment": __("comment"),
    "phone": __("phone"),
    "email": __("e-mail"),
    "name": __("name"),
    "amount": __("amount"),
}


def entry_line(entry: HistoryEntry, names: dict[int, str], zone: ZoneInfo) -> str:
    who = esc(names.get(entry.user_id or 0, _("system")))
    line = f"{moment(entry.at, zone)} · {who} · {ACTION_LABELS.get(entry.action, entry.action)}"
    if entry.field:
        label = FIELD_LABELS.get(entry.field, entry.field)
        old = esc(clip(entry.old or "—", 60))
        new = esc(clip(entry.new or "—", 60))
        line += f": {label} {old} → {new}"
    return line


async def send_history(
    query: CallbackQuery, lead_id: int, page: int, services: Services, me: Actor, *, in_place: bool
) -> None:
    """`in_place`: the press came from the history message itself (paging), so edit it."""
    try:
        log = await services.history.of_lead(lead_id, offset=page * HISTORY_PAGE, limit=HISTORY_PAGE)
    except DomainError as error:
        await refuse(query, error)
        return
    names = {user.id: user.name for user in await services.users.all()}
    zone = me.zone(services.ctx.settings.timezone)
    pages = max(1, -(-log.total // HISTORY_PAGE))
    head = "📜 <b>" + _("History of lead #{id}").format(id=lead_id) + f"</b> ({page + 1}/{pages})"
    lines = [head, *(entry_line(e, names, zone) for e in log.entries)]
    kb = InlineKeyboardBuilder()
    if page > 0:
        kb.button(text="◀", callback_data=LeadCb(op=LeadOp.HISTORY, id=lead_id, arg=str(page - 1)))
    if page + 1 < pages:
        kb.button(text="▶", callback_data=LeadCb(op=LeadOp.HISTORY, id=lead_id, arg=str(page + 1)))
    rendered = Rendered(fit(lines, lambda n: _("…and {count} more").format(count=n)), kb.as_markup())
    message = pressed_message(query)
    if in_place and message is not None and message.chat.id == me.telegram_id:
        await edit(message, rendered)
    else:
        await query.bot.send_message(me.telegram_id, rendered.text, reply_markup=rendered.markup)  # type: ignore[union-attr]
    if message is None or message.chat.id != me.telegram_id:
        await query.answer(_("The history is in your private chat with the bot."))
    else:
        await query.answer()
