"""/new: a short dialog (name, phone, e-mail, company, source, comment, amount; every step skippable).
A shared Telegram contact or a forwarded message starts it too. Before saving it shows whom the
lead matches ("this phone belongs to contact X")."""

from __future__ import annotations

from typing import Any

from aiogram import F, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.keyboard import InlineKeyboardBuilder

from db.enums import OwnerType
from handlers.browse import send_card
from handlers.callbacks import DraftCb, DraftOp, OutdatedButton
from handlers.formats import money
from handlers.i18n import _, current_locale
from handlers.outbox_renderer import TelegramRenderer
from handlers.render import clip, esc, fit
from handlers.states import NewLead
from handlers.telegram_io import pressed_message
from leadbot.actor import Actor
from leadbot.config import Settings
from leadbot.errors import DomainError
from leadbot.normalize import format_phone
from leadbot.services.delivery_store import DeliveryStore
from leadbot.services.directories import Directory, DirectoryService
from leadbot.services.lead_input import LeadDraft, currency_for, parse_amount
from leadbot.services.lead_sources import FROM_TELEGRAM
from leadbot.services.leads import LeadService
from leadbot.services.matching import Match

STEPS: list[tuple[State, str]] = [
    (NewLead.name, "name"),
    (NewLead.phone, "phone"),
    (NewLead.email, "email"),
    (NewLead.company, "company_title"),
    (NewLead.comment, "comment"),
    (NewLead.amount, "amount"),
]


def question(field: str) -> str:
    return {
        "name": _("Who is the client? Write the name."),
        "phone": _("Phone number?"),
        "email": _("E-mail?"),
        "company_title": _("Company?"),
        "comment": _("What do they want? A short comment."),
        "amount": _("Possible amount?"),
    }[field]


def skip_keyboard() -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    kb.button(text=_("Skip") + " ➡", callback_data=DraftCb(op=DraftOp.SKIP))
    kb.button(text="✖ " + _("Cancel"), callback_data=DraftCb(op=DraftOp.CANCEL))
    return kb.as_markup()


async def ask(message: Message, state: FSMContext, index: int) -> None:
    target, field = STEPS[index]
    await state.set_state(target)
    await message.answer(question(field), reply_markup=skip_keyboard())


async def start_new(message: Message, state: FSMContext) -> None:
    if message.chat.type != "private":
        await message.answer(_("Add leads in a private chat with me: open it and send /new."))
        return
    await state.clear()
    await state.update_data(draft={})
    await ask(message, state, 0)


async def next_step(
    message: Message, state: FSMContext, leads: LeadService, directories: DirectoryService, settings: Settings
) -> None:
    current = await state.get_state()
    index = next(i for i, (target, _field) in enumerate(STEPS) if target.state == current)
    if STEPS[index][1] == "company_title":  # the source is chosen with buttons after the company
        await ask_source(message, state, directories)
    elif index + 1 < len(STEPS):
        await ask(message, state, index + 1)
    else:
        await confirm(message, state, leads, settings)


async def ask_source(message: Message, state: FSMContext, directories: DirectoryService) -> None:
    await state.set_state(NewLead.source)
    locale = current_locale()
    kb = InlineKeyboardBuilder()
    for source in await directories.entries(Directory.SOURCES):
        kb.button(text=source.name(locale), callback_data=DraftCb(op=DraftOp.SOURCE, source=source.code))
    kb.adjust(3)
    await message.answer(_("Where did the client come from?"), reply_markup=kb.as_markup())


async def typed(
    message: Message, state: FSMContext, leads: LeadService, directories: DirectoryService, settings: Settings
) -> None:
    current = await state.get_state()
    field = next(f for target, f in STEPS if target.state == current)
    try:
        value = leads.check_field(field, message.text or "")
    except DomainError as error:
        await message.answer(
            error.render(_, html=True) + "\n" + question(field), reply_markup=skip_keyboard()
        )
        return
    data = await state.get_data()
    await state.update_data(draft={**data.get("draft", {}), field: value})
    await next_step(message, state, leads, directories, settings)


async def pressed(
    query: CallbackQuery,
    callback_data: DraftCb,
    state: FSMContext,
    leads: LeadService,
    directories: DirectoryService,
    delivery: DeliveryStore,
    settings: Settings,
    me: Actor,
    renderer: TelegramRenderer,
) -> None:
    message = pressed_message(query)
    if message is None or await state.get_state() is None:
        raise OutdatedButton()
    match callback_data.op:
        case DraftOp.CANCEL:
            await state.clear()
            await message.answer(_("Cancelled. Nothing was saved."))
        case DraftOp.SKIP:
            await next_step(message, state, leads, directories, settings)
        case DraftOp.SOURCE:
            data = await state.get_data()
            await state.update_data(draft={**data.get("draft", {}), "source_code": callback_data.source})
            await ask(message, state, STEPS.index((NewLead.comment, "comment")))
        case DraftOp.SAVE:
            await save(message, state, leads, delivery, me, renderer)


def draft_of(data: dict[str, Any]) -> LeadDraft:
    fields = data.get("draft", {})
    return LeadDraft(
        name=fields.get("name"),
        phones=[fields["phone"]] if fields.get("phone") else [],
        emails=[fields["email"]] if fields.get("email") else [],
        company_title=fields.get("company_title"),
        comment=fields.get("comment"),
        amount=fields.get("amount"),
        **({"source_code": fields["source_code"]} if fields.get("source_code") else {}),
    )


def match_line(match: Match) -> str:
    """Whom the draft's phone or e-mail already belongs to."""
    name = esc(match.name)
    if match.type is OwnerType.CONTACT:
        return "💡 " + _(
            "This phone or e-mail belongs to contact {name} (#{id}): "
            "the lead will be linked to it as a repeat lead."
        ).format(name=name, id=match.id)
    if match.type is OwnerType.COMPANY:
        return "💡 " + _("Known company: {name}").format(name=name)
    return "⚠️ " + _("Open lead #{id} with the same phone or e-mail: {name}").format(id=match.id, name=name)


async def confirm(message: Message, state: FSMContext, leads: LeadService, settings: Settings) -> None:
    draft = draft_of(await state.get_data())
    try:
        matches = await leads.preview(draft)
    except DomainError as error:
        await state.clear()
        await message.answer(error.render(_, html=True) + "\n" + _("Start again with /new."))
        return
    await state.set_state(NewLead.confirm)
    lines = ["📝 <b>" + _("New lead") + "</b>"]
    lines += [esc(clip(v, 200)) for v in (draft.name, draft.company_title, draft.comment) if v]
    lines += [esc(format_phone(p)) for p in draft.phones] + [esc(e) for e in draft.emails]
    if draft.amount:  # checked when typed
        value = parse_amount(draft.amount)
        amount = money(value, currency_for(value, draft.currency, settings.default_currency))
        lines.append(_("Amount: {amount}").format(amount=esc(amount)))
    lines += [match_line(match) for match in matches]
    kb = InlineKeyboardBuilder()
    kb.button(text="💾 " + _("Save"), callback_data=DraftCb(op=DraftOp.SAVE))
    kb.button(text="✖ " + _("Cancel"), callback_data=DraftCb(op=DraftOp.CANCEL))
    await message.answer(
        fit(lines, lambda n: _("…and {count} more").format(count=n)), reply_markup=kb.as_markup()
    )


async def save(
    message: Message,
    state: FSMContext,
    leads: LeadService,
    delivery: DeliveryStore,
    me: Actor,
    renderer: TelegramRenderer,
) -> None:
    """Create the lead and show its live card here: the only copy the maker gets (the service alerts
    the group, and the assignee only when it is somebody else). A refusal is a message (the press
    is already answered)."""
    draft = draft_of(await state.get_data())
    try:
        outcome = await leads.create_by_hand(draft, me)
    except DomainError as error:
        await message.answer(error.render(_, html=True))
        return
    await state.clear()
    if outcome.lead is None:
        await message.answer(_("This phone or e-mail is on the exclusion list: no lead was created."))
        return
    await message.answer(_("Saved: lead #{id}.").format(id=outcome.lead.id))
    await send_card(message, outcome.lead.id, delivery, renderer, me)


async def shared_contact(message: Message, state: FSMContext, leads: LeadService, settings: Settings) -> None:
    contact = message.contact
    if contact is None:
        return
    name = " ".join(p for p in (contact.first_name, contact.last_name) if p)
    try:
        phone = leads.check_field("phone", contact.phone_number)
    except DomainError:
        phone = contact.phone_number  # kept as given; the card marks it as not recognised
    await state.clear()
    await state.update_data(draft={"name": name, "phone": phone, "source_code": FROM_TELEGRAM})
    await confirm(message, state, leads, settings)


async def forwarded(message: Message, state: FSMContext) -> None:
    origin = message.forward_origin
    sender = getattr(origin, "sender_user", None)
    name = sender.full_name if sender is not None else getattr(origin, "sender_user_name", None) or ""
    text = (message.text or message.caption or "")[:4000]
    await state.clear()
    await state.update_data(draft={"name": name, "comment": text, "source_code": FROM_TELEGRAM})
    await ask(message, state, 1)


def router() -> Router:
    routes = Router(name="new_lead")
    routes.message.register(start_new, Command("new"))
    routes.callback_query.register(pressed, DraftCb.filter())
    routes.message.register(
        typed, StateFilter(*(target for target, _field in STEPS)), F.text, ~F.text.startswith("/")
    )
    routes.message.register(shared_contact, F.contact, F.chat.type == "private")
    routes.message.register(forwarded, F.forward_origin, F.chat.type == "private")
    return routes
