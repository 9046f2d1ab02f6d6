"""Looking at leads: /lead ID, /find TEXT, /leads (the pipeline), /my, and the paged lists behind them."""

from __future__ import annotations

from collections.abc import Sequence

from aiogram import Router
from aiogram.filters import Command, CommandObject
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.keyboard import InlineKeyboardBuilder

from handlers.callbacks import ListCb, ListKind, OpenCb, OutdatedButton
from handlers.formats import money, number
from handlers.i18n import _, current_locale
from handlers.numbers import db_int
from handlers.outbox_renderer import TelegramRenderer
from handlers.render import clip, esc, fit
from handlers.telegram_io import edit, pressed_message
from leadbot.actor import Actor
from leadbot.errors import NotFound
from leadbot.i18n_marker import N_
from leadbot.rendering import Rendered
from leadbot.services.delivery_store import DeliveryStore
from leadbot.services.directories import Directory, DirectoryService
from leadbot.services.queries import LeadQueries, Page, PipelineRow


async def send_card(
    message: Message, lead_id: int, delivery: DeliveryStore, renderer: TelegramRenderer, me: Actor | None
) -> None:
    """Show a lead's card in this chat; it stays live (edited on every change of the lead)."""
    rendered = await renderer.lead_card(lead_id, message.chat.id, viewer=me)
    sent = await message.answer(rendered.text, reply_markup=rendered.markup)
    await delivery.remember_card(lead_id, sent.chat.id, sent.message_id)


async def lead_command(
    message: Message,
    command: CommandObject,
    delivery: DeliveryStore,
    renderer: TelegramRenderer,
    me: Actor,
) -> None:
    arg = (command.args or "").strip().lstrip("#")
    if not (arg.isascii() and arg.isdigit()):
        await message.answer(_("Write the lead's number: /lead 123"))
        return
    await send_card(message, _lead_id(arg), delivery, renderer, me)


def _lead_id(digits: str) -> int:
    """A number no lead can have is not looked up: it is not found."""
    try:
        return db_int(digits)
    except ValueError:
        raise NotFound(what=N_("Lead"), id=clip(digits, 24)) from None


def list_view(title: str, page: Page, kind: ListKind, status: str = "") -> Rendered:
    lines = [f"<b>{esc(title)}</b> · {number(page.total)}"]
    kb = InlineKeyboardBuilder()
    for row in page.rows:
        lines.append(f"#{row.id} · {esc(clip(row.title, 50))} · {esc(money(row.amount, row.currency))}")
        kb.button(text=f"#{row.id} {clip(row.title, 30)}", callback_data=OpenCb(lead_id=row.id))
    if not page.rows:
        lines.append(_("Nothing here."))
    kb.adjust(1)
    pager = []
    if page.page > 0:
        pager.append(("◀", page.page - 1))
    if page.page + 1 < page.pages:
        pager.append(("▶", page.page + 1))
    for text, target in pager:
        kb.button(text=text, callback_data=ListCb(kind=kind, page=target, status=status))
    if pager:
        kb.adjust(*([1] * len(page.rows)), len(pager))
    if page.pages > 1:
        lines.append(_("Page {page} of {pages}").format(page=page.page + 1, pages=page.pages))
    return Rendered(fit(lines, lambda n: _("…and {count} more").format(count=n)), kb.as_markup())


async def find_command(
    message: Message, command: CommandObject, queries: LeadQueries, state: FSMContext
) -> None:
    text = (command.args or "").strip()
    if not text:
        await message.answer(
            _("Write what to look for: /find Ivan, /find 8 916 123-45-67, /find ivan@mail.ru")
        )
        return
    await state.update_data(find_query=text)
    rendered = list_view(
        _("Found for “{text}”").format(text=clip(text, 40)), await queries.find(text), ListKind.FOUND
    )
    await message.answer(rendered.text, reply_markup=rendered.markup)


async def my_command(message: Message, queries: LeadQueries, me: Actor) -> None:
    rendered = list_view(_("My open leads"), await queries.open_of(me.id), ListKind.MINE)
    await message.answer(rendered.text, reply_markup=rendered.markup)


def pipeline_view(rows: Sequence[PipelineRow], locale: str) -> Rendered:
    """Count and sums per status, a sum per currency (never added across currencies)."""
    lines = ["📊 <b>" + _("Pipeline") + "</b>"]
    kb = InlineKeyboardBuilder()
    for row in rows:
        name, count = row.status.name(locale), number(row.count, locale)
        sums = ", ".join(money(amount, code, locale) for code, amount in sorted(row.amounts.items()))
        lines.append(f"{esc(name)}: <b>{count}</b> · {esc(sums or money(None, None, locale))}")
        kb.button(
            text=f"{name} ({count})",
            callback_data=ListCb(kind=ListKind.STATUS, status=row.status.code, fresh=True),
        )
    kb.adjust(2)
    return Rendered("\n".join(lines), kb.as_markup())


async def leads_command(message: Message, queries: LeadQueries) -> None:
    rendered = pipeline_view(await queries.pipeline(), current_locale())
    await message.answer(rendered.text, reply_markup=rendered.markup)


async def list_page(
    query: CallbackQuery,
    callback_data: ListCb,
    queries: LeadQueries,
    directories: DirectoryService,
    me: Actor,
    state: FSMContext,
) -> None:
    message = pressed_message(query)
    if message is None:
        return
    page_no = callback_data.page
    match callback_data.kind:
        case ListKind.STATUS:
            statuses = {s.code: s for s in await directories.entries(Directory.STATUSES)}
            status = statuses.get(callback_data.status)
            if status is None:
                raise OutdatedButton()
            title = status.name(current_locale())
            page = await queries.in_status(callback_data.status, page_no)
        case ListKind.MINE:
            title, page = _("My open leads"), await queries.open_of(me.id, page_no)
        case _:
            text = str((await state.get_data()).get("find_query", ""))
            title = _("Found for “{text}”").format(text=clip(text, 40))
            page = await queries.find(text, page_no)
    rendered = list_view(title, page, callback_data.kind, callback_data.status)
    if callback_data.fresh:
        await message.answer(rendered.text, reply_markup=rendered.markup)
    else:
        await edit(message, rendered)


async def open_lead(
    query: CallbackQuery,
    callback_data: OpenCb,
    delivery: DeliveryStore,
    renderer: TelegramRenderer,
    me: Actor,
) -> None:
    message = pressed_message(query)
    if message is not None:
        await send_card(message, callback_data.lead_id, delivery, renderer, me)


def router() -> Router:
    routes = Router(name="browse")
    routes.message.register(lead_command, Command("lead"))
    routes.message.register(find_command, Command("find"))
    routes.message.register(my_command, Command("my"))
    routes.message.register(leads_command, Command("leads"))
    routes.callback_query.register(list_page, ListCb.filter())
    routes.callback_query.register(open_lead, OpenCb.filter())
    return routes
