"""The buttons of a lead card. Every press is re-authorised by the service it calls; a refusal rises to
`handlers.refusals.refused`."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State
from aiogram.types import CallbackQuery, ForceReply, InlineKeyboardMarkup, Message
from aiogram.utils.callback_answer import CallbackAnswer

from db.enums import ActivityKind, OwnerType
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
    OutdatedButton,
    Party,
    RemindAtCb,
    RemindCb,
    RemindTextCb,
    ReopenCb,
    SetStatusCb,
    StatusMenuCb,
    TakeCb,
)
from handlers.cards import (
    convert_menu,
    exclude_menu,
    junk_menu,
    link_menu,
    remind_kind_menu,
    remind_people_menu,
    remind_time_menu,
    status_menu,
)
from handlers.formats import moment
from handlers.history import history_pressed
from handlers.i18n import _
from handlers.outbox_renderer import TelegramRenderer
from handlers.refusals import lead_message, show_card
from handlers.render import esc
from handlers.states import CommentText, ConvertName, LinkSearch, RemindTime
from handlers.telegram_io import edit_markup, pressed_message
from leadbot.actor import Actor
from leadbot.clock import Clock
from leadbot.config import Settings
from leadbot.errors import DuplicateContact, NameRequired, StaleLead
from leadbot.permissions import Permission, allowed
from leadbot.services.activities import ActivityService
from leadbot.services.conversion import ConversionService, ConvertRequest
from leadbot.services.directories import DirectoryService
from leadbot.services.leads import LeadService
from leadbot.services.queries import LeadCard, LeadQueries, PartyRow
from leadbot.services.users import UserService
from leadbot.when import parse_when, preset_time


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


# --- menus: change nothing, only show choices ----------------------------------------------------


async def shown_card(query: CallbackQuery, lead_id: int, version: int, queries: LeadQueries) -> LeadCard:
    """The card a menu opens on: the pressed message must be this lead's, and show its current version."""
    if lead_message(query, lead_id) is None:
        raise OutdatedButton()
    card = await queries.card(lead_id)
    if card.lead.version != version:
        raise StaleLead()
    return card


async def show_menu(query: CallbackQuery, markup: InlineKeyboardMarkup) -> None:
    message = pressed_message(query)
    if message is not None:
        await edit_markup(message, markup)


async def status_menu_pressed(
    query: CallbackQuery, callback_data: StatusMenuCb, queries: LeadQueries, directories: DirectoryService
) -> None:
    card = await shown_card(query, callback_data.lead_id, callback_data.v, queries)
    await show_menu(query, status_menu(card, await directories.process_statuses()))


async def junk_menu_pressed(
    query: CallbackQuery, callback_data: JunkMenuCb, queries: LeadQueries, directories: DirectoryService
) -> None:
    card = await shown_card(query, callback_data.lead_id, callback_data.v, queries)
    await show_menu(query, junk_menu(card, await directories.junk_reasons()))


async def exclude_asked(query: CallbackQuery, callback_data: ExcludeAskCb, queries: LeadQueries) -> None:
    card = await shown_card(query, callback_data.lead_id, callback_data.v, queries)
    await show_menu(query, exclude_menu(card))


async def link_menu_pressed(query: CallbackQuery, callback_data: LinkMenuCb, queries: LeadQueries) -> None:
    card = await shown_card(query, callback_data.lead_id, callback_data.v, queries)
    await show_menu(query, link_menu(card, card.link_candidates))


async def convert_menu_pressed(
    query: CallbackQuery, callback_data: ConvertMenuCb, queries: LeadQueries
) -> None:
    card = await shown_card(query, callback_data.lead_id, callback_data.v, queries)
    await show_menu(query, convert_menu(card, callback_data))


async def remind_menu_pressed(
    query: CallbackQuery, callback_data: RemindCb, queries: LeadQueries, users: UserService, me: Actor
) -> None:
    """Kind first; then, for supervisors, who is responsible; then the time."""
    card = await shown_card(query, callback_data.lead_id, callback_data.v, queries)
    if callback_data.kind is None:
        markup = remind_kind_menu(card)
    elif callback_data.who is None and allowed(me, Permission.ASSIGN):
        people = [(user.id, user.name) for user in await users.all() if user.active]
        markup = remind_people_menu(card, callback_data, me.id, people)
    else:
        markup = remind_time_menu(card, callback_data, callback_data.kind)
    await show_menu(query, markup)


async def back_to_card(
    query: CallbackQuery, callback_data: CardCb, queries: LeadQueries, renderer: TelegramRenderer
) -> None:
    await shown_card(query, callback_data.lead_id, callback_data.v, queries)
    await show_card(query, callback_data.lead_id, renderer)


# --- actions: one service call each --------------------------------------------------------------


async def take(
    _query: CallbackQuery,
    callback_data: TakeCb,
    leads: LeadService,
    me: Actor,
    callback_answer: CallbackAnswer,
) -> None:
    await leads.take(callback_data.lead_id, me)
    callback_answer.text = _("Lead #{id} is yours.").format(id=callback_data.lead_id)


async def set_status(
    _query: CallbackQuery,
    callback_data: SetStatusCb,
    leads: LeadService,
    me: Actor,
    callback_answer: CallbackAnswer,
) -> None:
    await leads.change_status(
        callback_data.lead_id, callback_data.status, me, expected_version=callback_data.v
    )
    callback_answer.text = _("Status changed.")


async def junk(
    _query: CallbackQuery,
    callback_data: JunkCb,
    leads: LeadService,
    me: Actor,
    callback_answer: CallbackAnswer,
) -> None:
    await leads.junk(callback_data.lead_id, callback_data.reason, me, expected_version=callback_data.v)
    callback_answer.text = _("Closed as junk.")


async def exclude(
    _query: CallbackQuery,
    callback_data: ExcludeCb,
    leads: LeadService,
    me: Actor,
    callback_answer: CallbackAnswer,
) -> None:
    added = await leads.exclude(callback_data.lead_id, me, expected_version=callback_data.v)
    callback_answer.text = _("Excluded: {count}. The lead is closed as spam.").format(count=len(added))


async def link(
    _query: CallbackQuery,
    callback_data: LinkCb,
    conversion: ConversionService,
    me: Actor,
    callback_answer: CallbackAnswer,
) -> None:
    lead_id, party_id, version = callback_data.lead_id, callback_data.party_id, callback_data.v
    if callback_data.party is Party.CONTACT:
        await conversion.link(lead_id, me, contact_id=party_id, expected_version=version)
        callback_answer.text = _("Linked to the contact; its phones and e-mails are updated.")
    else:
        await conversion.link(lead_id, me, company_id=party_id, expected_version=version)
        callback_answer.text = _("Linked to the company.")


async def reopen(
    _query: CallbackQuery,
    callback_data: ReopenCb,
    leads: LeadService,
    me: Actor,
    callback_answer: CallbackAnswer,
) -> None:
    await leads.reopen(callback_data.lead_id, me, expected_version=callback_data.v)
    callback_answer.text = _("Lead reopened.")


def convert_request(choice: ConvertCb, contact_name: str | None = None) -> ConvertRequest:
    return ConvertRequest(
        contact=choice.contact,
        company=choice.company,
        deal=choice.deal,
        contact_type=choice.contact_type,
        contact_name=contact_name,
    )


async def convert(
    query: CallbackQuery,
    callback_data: ConvertCb,
    conversion: ConversionService,
    queries: LeadQueries,
    me: Actor,
    state: FSMContext,
    callback_answer: CallbackAnswer,
) -> None:
    lead_id = callback_data.lead_id
    try:
        await conversion.convert(
            lead_id, convert_request(callback_data), me, expected_version=callback_data.v
        )
    except NameRequired:
        prompt = _("The lead has no real name. Type the contact's name:")
        await ask_for_text(query, me, state, ConvertName.name, prompt, convert=callback_data.pack())
        return
    except DuplicateContact as duplicate:  # offered to link to the existing contact instead
        callback_answer.text, callback_answer.show_alert = duplicate.render(_)[:200], True
        message = lead_message(query, lead_id)
        if message is not None:
            existing = PartyRow(OwnerType.CONTACT, duplicate.params["id"], duplicate.params["name"])
            await edit_markup(message, link_menu(await queries.card(lead_id), [existing]))
        return
    callback_answer.text = _("Converted.")


async def convert_with_name(
    message: Message, state: FSMContext, conversion: ConversionService, me: Actor
) -> None:
    data = await state.get_data()
    await state.clear()
    if "convert" not in data:  # a dialog saved before this version of the bot
        raise OutdatedButton()
    choice = ConvertCb.unpack(str(data["convert"]))
    request = convert_request(choice, contact_name=message.text or "")
    await conversion.convert(choice.lead_id, request, me, expected_version=choice.v)
    await message.answer(_("Converted: lead #{id}.").format(id=choice.lead_id))


# --- typed answers: link search, reminders at a typed time, comments ----------------------------------


async def start_link_search(
    query: CallbackQuery, callback_data: LinkSearchCb, me: Actor, state: FSMContext
) -> None:
    prompt = _("Type a name, phone or e-mail of the contact or company:")
    await ask_for_text(query, me, state, LinkSearch.query, prompt, lead_id=callback_data.lead_id)


async def link_search(message: Message, state: FSMContext, queries: LeadQueries) -> None:
    data = await state.get_data()
    await state.clear()
    card = await queries.card(int(data["lead_id"]))
    parties = await queries.parties(message.text or "")
    if not parties:
        await message.answer(_("Nothing found. Press Link on the card to search again."))
        return
    await message.answer(
        _("Choose whom to link lead #{id} to:").format(id=card.lead.id), reply_markup=link_menu(card, parties)
    )


async def remind_at(
    _query: CallbackQuery,
    callback_data: RemindAtCb,
    activities: ActivityService,
    clock: Clock,
    settings: Settings,
    me: Actor,
    callback_answer: CallbackAnswer,
) -> None:
    zone = me.zone(settings.timezone)
    when = preset_time(callback_data.preset, clock.now(), zone)
    await activities.plan(
        callback_data.lead_id, callback_data.kind, when, me, responsible_id=callback_data.who
    )
    callback_answer.text = _("Reminder set: {when}.").format(when=moment(when, zone))


async def start_remind_text(
    query: CallbackQuery, callback_data: RemindTextCb, me: Actor, state: FSMContext
) -> None:
    prompt = _("When? For example: 25.11 14:30, tomorrow 9:00, in 2h. A note may follow after “;”.")
    choice = {"lead_id": callback_data.lead_id, "kind": callback_data.kind.value, "who": callback_data.who}
    await ask_for_text(query, me, state, RemindTime.when, prompt, **choice)


async def remind_text(
    message: Message,
    state: FSMContext,
    activities: ActivityService,
    clock: Clock,
    settings: Settings,
    me: Actor,
) -> None:
    """A refusal leaves the question open: the user may retry."""
    data = await state.get_data()
    when_text, _sep, note = (message.text or "").partition(";")
    zone = me.zone(settings.timezone)
    when = parse_when(when_text, clock.now(), zone)
    kind = ActivityKind(str(data.get("kind", ActivityKind.CALL.value)))
    await activities.plan(
        int(data["lead_id"]), kind, when, me, note=note or None, responsible_id=data.get("who")
    )
    await state.clear()
    await message.answer(_("Reminder set: {when}.").format(when=moment(when, zone)))


async def start_comment(query: CallbackQuery, callback_data: CommentCb, me: Actor, state: FSMContext) -> None:
    await ask_for_text(
        query, me, state, CommentText.text, _("Write the comment:"), lead_id=callback_data.lead_id
    )


async def comment_text(message: Message, state: FSMContext, leads: LeadService, me: Actor) -> None:
    data = await state.get_data()
    await state.clear()
    await leads.comment(int(data["lead_id"]), message.text or "", me)
    await message.answer(_("Added to lead #{id}.").format(id=data["lead_id"]))


def router() -> Router:
    routes = Router(name="lead_actions")
    presses = (
        (status_menu_pressed, StatusMenuCb),
        (junk_menu_pressed, JunkMenuCb),
        (exclude_asked, ExcludeAskCb),
        (link_menu_pressed, LinkMenuCb),
        (convert_menu_pressed, ConvertMenuCb),
        (remind_menu_pressed, RemindCb),
        (back_to_card, CardCb),
        (take, TakeCb),
        (set_status, SetStatusCb),
        (junk, JunkCb),
        (exclude, ExcludeCb),
        (link, LinkCb),
        (reopen, ReopenCb),
        (convert, ConvertCb),
        (start_link_search, LinkSearchCb),
        (history_pressed, HistoryCb),
        (remind_at, RemindAtCb),
        (start_remind_text, RemindTextCb),
        (start_comment, CommentCb),
    )
    for handler, factory in presses:
        routes.callback_query.register(handler, factory.filter())
    routes.message.register(convert_with_name, ConvertName.name, F.text)
    routes.message.register(link_search, LinkSearch.query, F.text)
    routes.message.register(remind_text, RemindTime.when, F.text, ~F.text.startswith("/"))
    routes.message.register(comment_text, CommentText.text, F.text, ~F.text.startswith("/"))
    return routes
