"""The lead card: one renderer for alerts, /lead, refreshed cards and every submenu of its buttons."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from db.enums import ActivityKind, ContactType, OwnerType
from db.models import JunkReason, LeadStatus
from handlers.callbacks import LeadCb, LeadOp, ListCb, ListKind
from handlers.formats import ago, moment, money, number
from handlers.i18n import _, __, current_locale, ngettext
from handlers.numbers import DB_INT_MAX
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
KIND_CODES = {"c": ActivityKind.CALL, "m": ActivityKind.MEETING, "t": ActivityKind.TASK}
_REMIND_ARG = re.compile(r"([cmt])(?:@(\d{1,10}))?(?:/(\w{1,4}))?", re.ASCII)
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
CONVERT_PARTS = ((1, "👤", __("Contact")), (2, "🏢", __("Company")), (4, "💼", __("Deal")))


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
    if card.deal is not None or card.contact is not None or card.company is not None:
        links = []
        if card.contact is not None:
            links.append(_("contact {name}").format(name=esc(clip(card.contact.full_name, 60))))
        if card.company is not None:
            links.append(_("company {name}").format(name=esc(clip(card.company.title, 60))))
        if card.deal is not None:
            links.append(_("deal #{id}").format(id=card.deal.id))
        lines.append("🔗 " + ", ".join(links))
    if lead.is_repeat:
        lines.append("🔁 " + _("Repeat lead: a returning client"))
    lines += [known_line(known, now) for known in card.known if known.match.id != lead.contact_id]
    if card.next_activity is not None and card.next_activity.due_at is not None:
        icon, kind = ACTIVITY_KINDS.get(card.next_activity.kind, ("⏰", ""))
        lines.append(
            f"{icon} "
            + _("Next: {kind}, {when} ({who})").format(
                kind=kind, when=moment(card.next_activity.due_at, zone), who=esc(card.next_responsible or "")
            )
        )
    if lead.comment:
        lines.append("💬 " + esc(clip(lead.comment, 600)))
    if note and note.get("by"):
        action = ACTION_LABELS.get(str(note.get("action")))
        lines.append(
            "✍️ " + _("{who} {did}").format(who=esc(note["by"]), did=action or esc(note.get("action")))
        )
    return fit(lines, lambda n: _("…and {count} more").format(count=n))


def card_keyboard(card: LeadCard, *, can_reopen: bool = True) -> InlineKeyboardMarkup:
    lead_id, v = card.lead.id, card.lead.version
    kb = InlineKeyboardBuilder()

    def add(text: str, op: LeadOp) -> None:
        kb.button(text=text, callback_data=LeadCb(op=op, id=lead_id, v=v))

    if card.is_open:
        if card.assignee is None:
            add("🙋 " + _("Take"), LeadOp.TAKE)
        add("📊 " + _("Status"), LeadOp.STATUS_MENU)
        add("🔗 " + _("Link"), LeadOp.LINK_MENU)
        add("✅ " + _("Convert"), LeadOp.CONVERT_MENU)
        add("🗑 " + _("Junk"), LeadOp.JUNK_MENU)
        add("⛔ " + _("Exclude"), LeadOp.EXCLUDE_ASK)
        add("⏰ " + _("Remind"), LeadOp.REMIND)
        add("💬 " + _("Comment"), LeadOp.COMMENT)
    add("📜 " + _("History"), LeadOp.HISTORY)
    if not card.is_open and can_reopen:
        add("♻️ " + _("Reopen"), LeadOp.REOPEN)
    kb.adjust(2)
    return kb.as_markup()


def back_button(card: LeadCard) -> InlineKeyboardButton:
    return InlineKeyboardButton(
        text="← " + _("Back"),
        callback_data=LeadCb(op=LeadOp.CARD, id=card.lead.id, v=card.lead.version).pack(),
    )


def choice_keyboard(card: LeadCard, op: LeadOp, choices: Sequence[tuple[str, str]]) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    for code, label in choices:
        kb.button(text=label, callback_data=LeadCb(op=op, id=card.lead.id, v=card.lead.version, arg=code))
    kb.adjust(2)
    kb.row(back_button(card))
    return kb.as_markup()


def status_menu(card: LeadCard, statuses: Sequence[LeadStatus]) -> InlineKeyboardMarkup:
    locale = current_locale()
    choices = [(s.code, s.name(locale)) for s in statuses if s.code != card.lead.status_code]
    return choice_keyboard(card, LeadOp.SET_STATUS, choices)


def junk_menu(card: LeadCard, reasons: Sequence[JunkReason]) -> InlineKeyboardMarkup:
    locale = current_locale()
    return choice_keyboard(card, LeadOp.JUNK, [(r.code, "🗑 " + r.name(locale)) for r in reasons])


def exclude_menu(card: LeadCard) -> InlineKeyboardMarkup:
    return choice_keyboard(card, LeadOp.EXCLUDE, [("yes", "⛔ " + _("Yes, exclude for good"))])


def link_menu(card: LeadCard, parties: Sequence[PartyRow]) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    for party in parties:
        op = LeadOp.LINK_CONTACT if party.type is OwnerType.CONTACT else LeadOp.LINK_COMPANY
        icon = "👤" if party.type is OwnerType.CONTACT else "🏢"
        kb.button(
            text=f"{icon} {clip(party.name, 40)}",
            callback_data=LeadCb(op=op, id=card.lead.id, v=card.lead.version, arg=str(party.id)),
        )
    kb.button(
        text="🔎 " + _("Search"),
        callback_data=LeadCb(op=LeadOp.LINK_SEARCH, id=card.lead.id, v=card.lead.version),
    )
    kb.adjust(1)
    kb.row(back_button(card))
    return kb.as_markup()


def pack_convert(mask: int, contact_type: ContactType) -> str:
    return f"{mask}{list(ContactType).index(contact_type)}"


def unpack_convert(arg: str) -> tuple[int, ContactType]:
    """Parse the convert menu's state; anything malformed reads as the default (contact + deal, client)."""
    if len(arg) == 2 and arg.isascii() and arg.isdigit() and int(arg[1]) < len(ContactType):
        return int(arg[0]) & 7, list(ContactType)[int(arg[1])]
    return 5, ContactType.CLIENT


def convert_menu(card: LeadCard, mask: int, contact_type: ContactType) -> InlineKeyboardMarkup:
    lead_id, v = card.lead.id, card.lead.version
    kb = InlineKeyboardBuilder()
    for bit, icon, label in CONVERT_PARTS:
        mark = "☑️" if mask & bit else "⬜"
        kb.button(
            text=f"{mark} {icon} {label}",
            callback_data=LeadCb(
                op=LeadOp.CONVERT_MENU, id=lead_id, v=v, arg=pack_convert(mask ^ bit, contact_type)
            ),
        )
    if mask & 1:
        for kind, label in CONTACT_TYPES.items():
            mark = "🔘" if kind is contact_type else "⚪"
            kb.button(
                text=f"{mark} {label}",
                callback_data=LeadCb(op=LeadOp.CONVERT_MENU, id=lead_id, v=v, arg=pack_convert(mask, kind)),
            )
    if mask & 1:
        kb.adjust(3, 3, 2)
    else:
        kb.adjust(3)
    if mask:
        kb.row(
            InlineKeyboardButton(
                text="🚀 " + _("Create and close the lead"),
                callback_data=LeadCb(
                    op=LeadOp.CONVERT, id=lead_id, v=v, arg=pack_convert(mask, contact_type)
                ).pack(),
            )
        )
    kb.row(back_button(card))
    return kb.as_markup()


@dataclass(frozen=True)
class RemindChoice:
    """What the Remind menus collected so far, packed into callback data: "c", "c@12", "c@12/m10"."""

    kind: ActivityKind | None = None
    who: int | None = None  # the responsible user; None: the presser
    preset: Preset | None = None

    def pack(self) -> str:
        code = next((c for c, k in KIND_CODES.items() if k is self.kind), "")
        who = f"@{self.who}" if self.who else ""
        preset = f"/{self.preset.value}" if self.preset else ""
        return code + who + preset

    @classmethod
    def unpack(cls, arg: str) -> RemindChoice:
        """Malformed or forged parts read as "not chosen yet"."""
        match = _REMIND_ARG.fullmatch(arg)
        if match is None:
            return cls()
        code, who, preset = match.groups()
        return cls(
            KIND_CODES.get(code),
            int(who) if who and int(who) <= DB_INT_MAX else None,
            Preset(preset) if preset in {p.value for p in Preset} else None,
        )


def remind_kind_menu(card: LeadCard) -> InlineKeyboardMarkup:
    choices = [
        (RemindChoice(kind).pack(), f"{ACTIVITY_KINDS[kind][0]} {ACTIVITY_KINDS[kind][1]}")
        for kind in KIND_CODES.values()
    ]
    return choice_keyboard(card, LeadOp.REMIND, choices)


def remind_people_menu(
    card: LeadCard, choice: RemindChoice, me_id: int, people: Sequence[tuple[int, str]]
) -> InlineKeyboardMarkup:
    choices = [(replace(choice, who=me_id).pack(), "🙋 " + _("Me"))]
    choices += [
        (replace(choice, who=uid).pack(), "👤 " + clip(name, 30)) for uid, name in people if uid != me_id
    ]
    return choice_keyboard(card, LeadOp.REMIND, choices)


def remind_time_menu(card: LeadCard, choice: RemindChoice) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    lead_id, v = card.lead.id, card.lead.version
    for preset, label in PRESET_LABELS.items():
        kb.button(
            text=str(label),
            callback_data=LeadCb(
                op=LeadOp.REMIND_AT, id=lead_id, v=v, arg=replace(choice, preset=preset).pack()
            ),
        )
    kb.button(
        text="✍️ " + _("Other time"),
        callback_data=LeadCb(op=LeadOp.REMIND_TEXT, id=lead_id, v=v, arg=choice.pack()),
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
    kb.button(text="📋 " + _("List them"), callback_data=ListCb(kind=ListKind.STATUS, arg="NEW", fresh=1))
    return kb.as_markup()
