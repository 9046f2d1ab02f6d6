"""The lead card: one renderer for alerts, /lead, refreshed cards and every submenu of its buttons."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from db.enums import ActivityKind, ContactType, OwnerType
from db.models import JunkReason, LeadStatus
from handlers.callbacks import (
    CardCb,
    CommentCb,
    ConvertCb,
    ConvertMenuCb,
    ExcludeAskCb,
    ExcludeCb,
    HistoryCb,
    JunkCb,
    JunkMenuCb,
    LinkCb,
    LinkMenuCb,
    LinkSearchCb,
    ListCb,
    ListKind,
    Party,
    RemindAtCb,
    RemindCb,
    RemindTextCb,
    ReopenCb,
    SetStatusCb,
    StatusMenuCb,
    TakeCb,
)
from handlers.formats import ago, moment, money, number
from handlers.i18n import _, __, current_locale, ngettext
from handlers.render import clip, esc, fit
from leadbot.normalize import format_phone
from leadbot.services.queries import KnownClient, LeadCard, PartyRow
from leadbot.when import Preset

ACTION_LABELS = {
    "created": __("created the lead"),
    "taken": __("took the lead"),
    "assigned": __("reassigned the lead"),
    "status": __("changed the status"),
    "edited": __("edited the lead"),
    "commented": __("commented"),
    "linked": __("linked the lead to a client"),
    "converted": __("converted the lead"),
    "junked": __("closed the lead as junk"),
    "excluded": __("excluded the caller"),
    "reopened": __("reopened the lead"),
    "planned": __("planned a reminder"),
    "snoozed": __("moved a reminder"),
    "done": __("completed a reminder"),
    "deleted": __("deleted a reminder"),
    "call": __("a call was logged"),
}
ACTIVITY_KINDS = {
    ActivityKind.CALL: ("📞", __("Call")),
    ActivityKind.MEETING: ("🤝", __("Meeting")),
    ActivityKind.TASK: ("📝", __("Task")),
}
PRESET_LABELS = {
    Preset.IN_15_MIN: __("in 15 min"),
    Preset.IN_1_HOUR: __("in 1 hour"),
    Preset.TODAY_18: __("today 18:00"),
    Preset.TOMORROW_10: __("tomorrow 10:00"),
    Preset.NEXT_MONDAY_10: __("Monday 10:00"),
}
CONTACT_TYPES = {
    ContactType.CLIENT: __("client"),
    ContactType.SUPPLIER: __("supplier"),
    ContactType.PARTNER: __("partner"),
    ContactType.CONTRACTOR: __("contractor"),
    ContactType.OTHER: __("other"),
}
CONVERT_PARTS = (
    ("contact", "👤", __("Contact")),
    ("company", "🏢", __("Company")),
    ("deal", "💼", __("Deal")),
)


def known_line(known: KnownClient, now: datetime) -> str:
    match = known.match
    name = esc(clip(match.name, 60))
    if match.type is OwnerType.LEAD:
        return "⚠️ " + _("Open lead #{id} with the same phone or e-mail: {name}").format(
            id=match.id, name=name
        )
    label = _("Known client: {name}") if match.type is OwnerType.CONTACT else _("Known company: {name}")
    parts = [label.format(name=name)]
    if known.deals:
        parts.append(_("deals: {count}").format(count=number(known.deals)))
    if known.last_lead_at is not None:
        parts.append(_("last lead {ago} ago").format(ago=ago(known.last_lead_at, now)))
    return "💡 " + ", ".join(parts)


def links_line(card: LeadCard) -> list[str]:
    """What the lead is linked to (none or one line)."""
    links = []
    if card.contact is not None:
        links.append(_("contact {name}").format(name=esc(clip(card.contact.full_name, 60))))
    if card.company is not None:
        links.append(_("company {name}").format(name=esc(clip(card.company.title, 60))))
    if card.deal is not None:
        links.append(_("deal #{id}").format(id=card.deal.id))
    return ["🔗 " + ", ".join(links)] if links else []


def next_activity_line(card: LeadCard, zone: ZoneInfo) -> list[str]:
    """The next planned reminder (none or one line)."""
    activity = card.next_activity
    if activity is None or activity.due_at is None:
        return []
    icon, kind = ACTIVITY_KINDS.get(activity.kind, ("⏰", ""))
    when, who = moment(activity.due_at, zone), esc(card.next_responsible or "")
    return [f"{icon} " + _("Next: {kind}, {when} ({who})").format(kind=kind, when=when, who=who)]


def note_line(note: dict[str, Any] | None) -> list[str]:
    """Who did the change the refreshed card shows (none or one line)."""
    if not note or not note.get("by"):
        return []
    action = ACTION_LABELS.get(str(note.get("action")))
    return ["✍️ " + _("{who} {did}").format(who=esc(note["by"]), did=action or esc(note.get("action")))]


def card_text(card: LeadCard, *, zone: ZoneInfo, now: datetime, note: dict[str, Any] | None = None) -> str:
    lead, locale = card.lead, current_locale()
    heading = _("Lead #{id}: {title}").format(id=lead.id, title=esc(clip(lead.display_title, 120)))
    lines = [f"🔥 <b>{heading}</b>"]
    person = " · ".join(esc(clip(part, 80)) for part in (lead.person_name, lead.company_title) if part)
    if person:
        lines.append(f"👤 {person}")
    lines += [
        f"📞 {esc(format_phone(p.normalized)) if p.normalized else esc(p.raw) + ' ❓'}" for p in card.phones
    ]
    lines += [f"✉️ {esc(e.normalized or e.raw)}" for e in card.emails]
    lines.append(
        _("Source: {source} · Amount: {amount}").format(
            source=esc(card.source.name(locale)), amount=esc(money(lead.amount, lead.currency))
        )
    )
    assignee = esc(card.assignee.name) if card.assignee else _("nobody yet")
    lines.append(
        _("Status: <b>{status}</b> · Assignee: {assignee}").format(
            status=esc(card.status.name(locale)), assignee=assignee
        )
    )
    lines.append(
        "⏱ "
        + _("Created {when} ({ago} ago)").format(
            when=moment(lead.created_at, zone), ago=ago(lead.created_at, now)
        )
    )
    if card.junk_reason is not None:
        lines.append("🗑 " + _("Junk: {reason}").format(reason=esc(card.junk_reason.name(locale))))
    lines += links_line(card)
    if lead.is_repeat:
        lines.append("🔁 " + _("Repeat lead: a returning client"))
    lines += [known_line(known, now) for known in card.known if known.match.id != lead.contact_id]
    lines += next_activity_line(card, zone)
    if lead.comment:
        lines.append("💬 " + esc(clip(lead.comment, 600)))
    lines += note_line(note)
    return fit(lines, lambda n: _("…and {count} more").format(count=n))


def card_keyboard(card: LeadCard, *, can_reopen: bool = True) -> InlineKeyboardMarkup:
    lead_id, v = card.lead.id, card.lead.version
    kb = InlineKeyboardBuilder()
    if card.is_open:
        if card.assignee is None:
            kb.button(text="🙋 " + _("Take"), callback_data=TakeCb(lead_id=lead_id, v=v))
        kb.button(text="📊 " + _("Status"), callback_data=StatusMenuCb(lead_id=lead_id, v=v))
        kb.button(text="🔗 " + _("Link"), callback_data=LinkMenuCb(lead_id=lead_id, v=v))
        kb.button(text="✅ " + _("Convert"), callback_data=ConvertMenuCb(lead_id=lead_id, v=v))
        kb.button(text="🗑 " + _("Junk"), callback_data=JunkMenuCb(lead_id=lead_id, v=v))
        kb.button(text="⛔ " + _("Exclude"), callback_data=ExcludeAskCb(lead_id=lead_id, v=v))
        kb.button(text="⏰ " + _("Remind"), callback_data=RemindCb(lead_id=lead_id, v=v))
        kb.button(text="💬 " + _("Comment"), callback_data=CommentCb(lead_id=lead_id, v=v))
    kb.button(text="📜 " + _("History"), callback_data=HistoryCb(lead_id=lead_id, v=v))
    if not card.is_open and can_reopen:
        kb.button(text="♻️ " + _("Reopen"), callback_data=ReopenCb(lead_id=lead_id, v=v))
    kb.adjust(2)
    return kb.as_markup()


def back_button(card: LeadCard) -> InlineKeyboardButton:
    return InlineKeyboardButton(
        text="← " + _("Back"), callback_data=CardCb(lead_id=card.lead.id, v=card.lead.version).pack()
    )


def choice_keyboard(card: LeadCard, choices: Sequence[tuple[CallbackData, str]]) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    for data, label in choices:
        kb.button(text=label, callback_data=data)
    kb.adjust(2)
    kb.row(back_button(card))
    return kb.as_markup()


def status_menu(card: LeadCard, statuses: Sequence[LeadStatus]) -> InlineKeyboardMarkup:
    locale, lead_id, v = current_locale(), card.lead.id, card.lead.version
    choices = [
        (SetStatusCb(lead_id=lead_id, v=v, status=s.code), s.name(locale))
        for s in statuses
        if s.code != card.lead.status_code
    ]
    return choice_keyboard(card, choices)


def junk_menu(card: LeadCard, reasons: Sequence[JunkReason]) -> InlineKeyboardMarkup:
    locale, lead_id, v = current_locale(), card.lead.id, card.lead.version
    choices = [(JunkCb(lead_id=lead_id, v=v, reason=r.code), "🗑 " + r.name(locale)) for r in reasons]
    return choice_keyboard(card, choices)


def exclude_menu(card: LeadCard) -> InlineKeyboardMarkup:
    yes = ExcludeCb(lead_id=card.lead.id, v=card.lead.version)
    return choice_keyboard(card, [(yes, "⛔ " + _("Yes, exclude for good"))])


def link_menu(card: LeadCard, parties: Sequence[PartyRow]) -> InlineKeyboardMarkup:
    lead_id, v = card.lead.id, card.lead.version
    kb = InlineKeyboardBuilder()
    for party in parties:
        contact = party.type is OwnerType.CONTACT
        kb.button(
            text=f"{'👤' if contact else '🏢'} {clip(party.name, 40)}",
            callback_data=LinkCb(
                lead_id=lead_id, v=v, party=Party.CONTACT if contact else Party.COMPANY, party_id=party.id
            ),
        )
    kb.button(text="🔎 " + _("Search"), callback_data=LinkSearchCb(lead_id=lead_id, v=v))
    kb.adjust(1)
    kb.row(back_button(card))
    return kb.as_markup()


def convert_menu(card: LeadCard, state: ConvertMenuCb) -> InlineKeyboardMarkup:
    """The parts to create (each press toggles one) and, with a contact, its type."""
    kb = InlineKeyboardBuilder()
    for part, icon, label in CONVERT_PARTS:
        ticked = bool(getattr(state, part))
        kb.button(
            text=f"{'☑️' if ticked else '⬜'} {icon} {label}",
            callback_data=state.model_copy(update={part: not ticked}),
        )
    if state.contact:
        for kind, label in CONTACT_TYPES.items():
            kb.button(
                text=f"{'🔘' if kind is state.contact_type else '⚪'} {label}",
                callback_data=state.model_copy(update={"contact_type": kind}),
            )
        kb.adjust(3, 3, 2)
    else:
        kb.adjust(3)
    if state.contact or state.company or state.deal:
        go = ConvertCb(**state.model_dump())
        kb.row(InlineKeyboardButton(text="🚀 " + _("Create and close the lead"), callback_data=go.pack()))
    kb.row(back_button(card))
    return kb.as_markup()


def remind_kind_menu(card: LeadCard) -> InlineKeyboardMarkup:
    lead_id, v = card.lead.id, card.lead.version
    choices: list[tuple[CallbackData, str]] = [
        (RemindCb(lead_id=lead_id, v=v, kind=kind), f"{icon} {label}")
        for kind, (icon, label) in ACTIVITY_KINDS.items()
    ]
    return choice_keyboard(card, choices)


def remind_people_menu(
    card: LeadCard, choice: RemindCb, me_id: int, people: Sequence[tuple[int, str]]
) -> InlineKeyboardMarkup:
    choices: list[tuple[CallbackData, str]] = [(choice.model_copy(update={"who": me_id}), "🙋 " + _("Me"))]
    choices += [
        (choice.model_copy(update={"who": uid}), "👤 " + clip(name, 30))
        for uid, name in people
        if uid != me_id
    ]
    return choice_keyboard(card, choices)


def remind_time_menu(card: LeadCard, choice: RemindCb, kind: ActivityKind) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    lead_id, v, who = card.lead.id, card.lead.version, choice.who
    for preset, label in PRESET_LABELS.items():
        kb.button(
            text=str(label),
            callback_data=RemindAtCb(lead_id=lead_id, v=v, kind=kind, who=who, preset=preset),
        )
    kb.button(
        text="✍️ " + _("Other time"), callback_data=RemindTextCb(lead_id=lead_id, v=v, kind=kind, who=who)
    )
    kb.adjust(2)
    kb.row(back_button(card))
    return kb.as_markup()


def digest_text(lines: Sequence[str], total: int) -> str:
    head = (
        "🔥 <b>"
        + ngettext("{count} new lead", "{count} new leads", total).format(count=number(total))
        + "</b>"
    )
    return fit([head, *lines], lambda n: _("…and {count} more").format(count=n))


def digest_keyboard() -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    kb.button(
        text="📋 " + _("List them"), callback_data=ListCb(kind=ListKind.STATUS, status="NEW", fresh=True)
    )
    return kb.as_markup()
