"""The buttons of a lead card. Every press is re-authorised by the service it calls."""

from __future__ import annotations

import contextlib

from aiogram import F, Router
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State
from aiogram.types import CallbackQuery, ForceReply, InlineKeyboardMarkup, Message

from db.enums import ActivityKind, OwnerType
from handlers.callbacks import LeadCb, LeadOp
from handlers.cards import (
    RemindChoice,
    convert_menu,
    exclude_menu,
    junk_menu,
    link_menu,
    remind_kind_menu,
    remind_people_menu,
    remind_time_menu,
    status_menu,
    unpack_convert,
)
from handlers.formats import moment
from handlers.history import send_history
from handlers.i18n import _
from handlers.numbers import db_int
from handlers.outbox_renderer import TelegramRenderer
from handlers.render import esc
from handlers.states import CommentText, ConvertName, LinkSearch, RemindTime
from handlers.telegram_io import edit, edit_markup, pressed_message, refuse
from leadbot.actor import Actor
from leadbot.errors import DomainError, DuplicateContact, NameRequired, StaleLead
from leadbot.permissions import Permission, allowed
from leadbot.services.conversion import ConvertRequest
from leadbot.services.queries import LeadCard, PartyRow
from leadbot.services.registry import Services
from leadbot.when import parse_when, preset_time


def lead_message(query: CallbackQuery, lead_id: int) -> Message | None:
    """The pressed message, if its buttons are this lead's: only such a message is changed in place, so
    a press with forged callback data cannot overwrite another message of the bot."""
    message = pressed_message(query)
    markup = message.reply_markup if message is not None else None
    if markup is None:
        return None
    for row in markup.inline_keyboard:
        for button in row:
            with contextlib.suppress(ValueError, TypeError):
                if button.callback_data and LeadCb.unpack(button.callback_data).id == lead_id:
                    return message
    return None


async def show_card(query: CallbackQuery, lead_id: int, renderer: TelegramRenderer) -> None:
    message = lead_message(query, lead_id)
    if message is not None:
        await edit(message, await renderer.lead_card(lead_id, message.chat.id))


async def _failed(query: CallbackQuery, error: DomainError, renderer: TelegramRenderer, lead_id: int) -> None:
    await refuse(query, error)
    if isinstance(error, StaleLead):
        await show_card(query, lead_id, renderer)


async def ask_for_text(
    query: CallbackQuery, me: Actor, state: FSMContext, target: State, prompt: str, **data: object
) -> None:
    """Ask the presser to type something. In a group (privacy mode) the bot only sees replies to its own
    messages, so the question is a ForceReply addressed to the presser."""
    message = pressed_message(query)
    if message is None:
        return
    await state.set_state(target)
    await state.update_data(data)
    if message.chat.type == "private":
        await message.answer(prompt + "\n" + _("Send /cancel to stop."))
    else:
        mention = f'<a href="tg://user?id={me.telegram_id}">{esc(me.name)}</a>'
        await message.answer(f"{mention}\n{prompt}", reply_markup=ForceReply(selective=True))
    await query.answer()


# --- menus: change nothing, only show choices ----------------------------------------------------


async def open_menu(
    query: CallbackQuery, callback_data: LeadCb, services: Services, renderer: TelegramRenderer, me: Actor
) -> None:
    message = lead_message(query, callback_data.id)
    if message is None:
        await query.answer(_("This button is outdated."), show_alert=True)
        return
    try:
        card = await services.queries.card(callback_data.id)
    except DomainError as error:
        await refuse(query, error)
        return
    if card.lead.version != callback_data.v:
        await _failed(query, StaleLead(), renderer, callback_data.id)
        return
    match callback_data.op:
        case LeadOp.STATUS_MENU:
            markup = status_menu(card, await services.directories.process_statuses())
        case LeadOp.JUNK_MENU:
            markup = junk_menu(card, await services.directories.junk_reasons())
        case LeadOp.EXCLUDE_ASK:
            markup = exclude_menu(card)
        case LeadOp.LINK_MENU:
            markup = link_menu(card, card.link_candidates)
        case LeadOp.REMIND:
            markup = await remind_menu(card, RemindChoice.unpack(callback_data.arg), services, me)
        case LeadOp.CONVERT_MENU:
            mask, contact_type = unpack_convert(callback_data.arg)
            markup = convert_menu(card, mask, contact_type)
        case _:
            await show_card(query, callback_data.id, renderer)
            await query.answer()
            return
    await edit_markup(message, markup)
    await query.answer()


# --- actions: one service call each --------------------------------------------------------------


async def act(
    query: CallbackQuery, callback_data: LeadCb, services: Services, me: Actor, renderer: TelegramRenderer
) -> None:
    lead_id, version, arg = callback_data.id, callback_data.v, callback_data.arg
    try:
        match callback_data.op:
            case LeadOp.TAKE:
                await services.leads.take(lead_id, me)
                done = _("Lead #{id} is yours.").format(id=lead_id)
            case LeadOp.SET_STATUS:
                await services.leads.change_status(lead_id, arg, me, expected_version=version)
                done = _("Status changed.")
            case LeadOp.JUNK:
                await services.leads.junk(lead_id, arg, me, expected_version=version)
                done = _("Closed as junk.")
            case LeadOp.EXCLUDE:
                added = await services.leads.exclude(lead_id, me, expected_version=version)
                done = _("Excluded: {count}. The lead is closed as spam.").format(count=len(added))
            case LeadOp.LINK_CONTACT:
                await services.conversion.link(lead_id, me, contact_id=_int(arg), expected_version=version)
                done = _("Linked to the contact; its phones and e-mails are updated.")
            case LeadOp.LINK_COMPANY:
                await services.conversion.link(lead_id, me, company_id=_int(arg), expected_version=version)
                done = _("Linked to the company.")
            case LeadOp.REOPEN:
                await services.leads.reopen(lead_id, me, expected_version=version)
                done = _("Lead reopened.")
            case _:
                return
    except DomainError as error:
        await _failed(query, error, renderer, lead_id)
        return
    await query.answer(done)


async def convert(
    query: CallbackQuery,
    callback_data: LeadCb,
    services: Services,
    me: Actor,
    renderer: TelegramRenderer,
    state: FSMContext,
) -> None:
    mask, contact_type = unpack_convert(callback_data.arg)
    request = ConvertRequest(
        contact=bool(mask & 1), company=bool(mask & 2), deal=bool(mask & 4), contact_type=contact_type
    )
    try:
        await services.conversion.convert(callback_data.id, request, me, expected_version=callback_data.v)
    except NameRequired:
        await ask_for_text(
            query,
            me,
            state,
            ConvertName.name,
            _("The lead has no real name. Type the contact's name:"),
            lead_id=callback_data.id,
            version=callback_data.v,
            arg=callback_data.arg,
        )
        return
    except DuplicateContact as duplicate:
        await refuse(query, duplicate)
        message = lead_message(query, callback_data.id)
        card = await services.queries.card(callback_data.id)
        if message is not None:
            existing = PartyRow(OwnerType.CONTACT, duplicate.params["id"], duplicate.params["name"])
            await edit_markup(message, link_menu(card, [existing]))
        return
    except DomainError as error:
        await _failed(query, error, renderer, callback_data.id)
        return
    await query.answer(_("Converted."))


async def convert_with_name(message: Message, state: FSMContext, services: Services, me: Actor) -> None:
    data = await state.get_data()
    await state.clear()
    mask, contact_type = unpack_convert(str(data.get("arg", "")))
    request = ConvertRequest(
        contact=bool(mask & 1),
        company=bool(mask & 2),
        deal=bool(mask & 4),
        contact_type=contact_type,
        contact_name=message.text or "",
    )
    try:
        await services.conversion.convert(
            int(data["lead_id"]), request, me, expected_version=int(data["version"])
        )
    except DomainError as error:
        await message.answer(error.render(_, html=True))
        return
    await message.answer(_("Converted: lead #{id}.").format(id=data["lead_id"]))


async def start_link_search(
    query: CallbackQuery, callback_data: LeadCb, me: Actor, state: FSMContext
) -> None:
    await ask_for_text(
        query,
        me,
        state,
        LinkSearch.query,
        _("Type a name, phone or e-mail of the contact or company:"),
        lead_id=callback_data.id,
        version=callback_data.v,
    )


async def link_search(message: Message, state: FSMContext, services: Services) -> None:
    data = await state.get_data()
    await state.clear()
    try:
        card = await services.queries.card(int(data["lead_id"]))
    except DomainError as error:
        await message.answer(error.render(_, html=True))
        return
    parties = await services.queries.parties(message.text or "")
    if not parties:
        await message.answer(_("Nothing found. Press Link on the card to search again."))
        return
    await message.answer(
        _("Choose whom to link lead #{id} to:").format(id=card.lead.id), reply_markup=link_menu(card, parties)
    )


async def history(query: CallbackQuery, callback_data: LeadCb, services: Services, me: Actor) -> None:
    page = _int(callback_data.arg)
    await send_history(query, callback_data.id, page, services, me, in_place=callback_data.arg != "")


async def remind_menu(
    card: LeadCard, choice: RemindChoice, services: Services, me: Actor
) -> InlineKeyboardMarkup:
    """Kind first; then, for supervisors, who is responsible; then the time."""
    if choice.kind is None:
        return remind_kind_menu(card)
    if choice.who is None and allowed(me, Permission.ASSIGN):
        people = [(user.id, user.name) for user in await services.users.all() if user.active]
        return remind_people_menu(card, choice, me.id, people)
    return remind_time_menu(card, choice)


async def remind_at(query: CallbackQuery, callback_data: LeadCb, services: Services, me: Actor) -> None:
    choice = RemindChoice.unpack(callback_data.arg)
    if choice.kind is None or choice.preset is None:
        await query.answer(_("This button is outdated."), show_alert=True)
        return
    zone = me.zone(services.ctx.settings.timezone)
    when = preset_time(choice.preset, services.ctx.clock.now(), zone)
    try:
        await services.activities.plan(callback_data.id, choice.kind, when, me, responsible_id=choice.who)
    except DomainError as error:
        await refuse(query, error)
        return
    await query.answer(_("Reminder set: {when}.").format(when=moment(when, zone)))


async def start_remind_text(
    query: CallbackQuery, callback_data: LeadCb, me: Actor, state: FSMContext
) -> None:
    await ask_for_text(
        query,
        me,
        state,
        RemindTime.when,
        _("When? For example: 25.11 14:30, tomorrow 9:00, in 2h. A note may follow after “;”."),
        lead_id=callback_data.id,
        choice=callback_data.arg,
    )


async def remind_text(message: Message, state: FSMContext, services: Services, me: Actor) -> None:
    data = await state.get_data()
    choice = RemindChoice.unpack(str(data.get("choice", "")))
    when_text, _sep, note = (message.text or "").partition(";")
    zone = me.zone(services.ctx.settings.timezone)
    try:
        when = parse_when(when_text, services.ctx.clock.now(), zone)
        await services.activities.plan(
            int(data["lead_id"]),
            choice.kind or ActivityKind.CALL,
            when,
            me,
            note=note or None,
            responsible_id=choice.who,
        )
    except DomainError as error:
        await message.answer(error.render(_, html=True))  # the question stays open: the user may retry
        return
    await state.clear()
    await message.answer(_("Reminder set: {when}.").format(when=moment(when, zone)))


async def start_comment(query: CallbackQuery, callback_data: LeadCb, me: Actor, state: FSMContext) -> None:
    await ask_for_text(query, me, state, CommentText.text, _("Write the comment:"), lead_id=callback_data.id)


async def comment_text(message: Message, state: FSMContext, services: Services, me: Actor) -> None:
    data = await state.get_data()
    await state.clear()
    try:
        await services.leads.comment(int(data["lead_id"]), message.text or "", me)
    except DomainError as error:
        await message.answer(error.render(_, html=True))
        return
    await message.answer(_("Added to lead #{id}.").format(id=data["lead_id"]))


def _int(value: str) -> int:
    """A number from a button's free-form argument; 0 (nothing) when it is not one the database holds."""
    try:
        return db_int(value)
    except ValueError:
        return 0


def router() -> Router:
    routes = Router(name="lead_actions")
    menus = {
        LeadOp.STATUS_MENU,
        LeadOp.JUNK_MENU,
        LeadOp.EXCLUDE_ASK,
        LeadOp.LINK_MENU,
        LeadOp.CONVERT_MENU,
        LeadOp.REMIND,
        LeadOp.CARD,
    }
    actions = {
        LeadOp.TAKE,
        LeadOp.SET_STATUS,
        LeadOp.JUNK,
        LeadOp.EXCLUDE,
        LeadOp.LINK_CONTACT,
        LeadOp.LINK_COMPANY,
        LeadOp.REOPEN,
    }
    routes.callback_query.register(open_menu, LeadCb.filter(F.op.in_(menus)))
    routes.callback_query.register(act, LeadCb.filter(F.op.in_(actions)))
    routes.callback_query.register(convert, LeadCb.filter(F.op == LeadOp.CONVERT))
    routes.callback_query.register(start_link_search, LeadCb.filter(F.op == LeadOp.LINK_SEARCH))
    routes.callback_query.register(history, LeadCb.filter(F.op == LeadOp.HISTORY))
    routes.message.register(convert_with_name, ConvertName.name, F.text)
    routes.message.register(link_search, LinkSearch.query, F.text)
    routes.callback_query.register(remind_at, LeadCb.filter(F.op == LeadOp.REMIND_AT))
    routes.callback_query.register(start_remind_text, LeadCb.filter(F.op == LeadOp.REMIND_TEXT))
    routes.message.register(remind_text, RemindTime.when, F.text, ~F.text.startswith("/"))
    routes.callback_query.register(start_comment, LeadCb.filter(F.op == LeadOp.COMMENT))
    routes.message.register(comment_text, CommentText.text, F.text, ~F.text.startswith("/"))
    return routes
