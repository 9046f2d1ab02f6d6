"""Refusals answered in one place, and every press answered exactly once.

A handler does not catch `DomainError`: it lets it rise to `refused` (aiogram's error handler), which
answers a press with an alert (and redraws a stale lead card) and a message with the refusal's text.
`PressAnswers` answers every other press after its handler, with the text the handler put in
`callback_answer` (if any)."""

from __future__ import annotations

import contextlib
from typing import Any

from aiogram import Dispatcher
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import ExceptionTypeFilter
from aiogram.types import CallbackQuery, ErrorEvent, Message, TelegramObject
from aiogram.utils.callback_answer import CallbackAnswer, CallbackAnswerMiddleware

from handlers.callbacks import lead_of
from handlers.i18n import _
from handlers.middlewares import Handler
from handlers.outbox_renderer import TelegramRenderer
from handlers.telegram_io import edit, pressed_message
from leadbot.errors import DomainError, StaleLead


class PressAnswers(CallbackAnswerMiddleware):
    """aiogram's CallbackAnswerMiddleware, except that a refusal is left to `refused` to answer."""

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        async def answered_by_refused(event: TelegramObject, data: dict[str, Any]) -> Any:
            try:
                return await handler(event, data)
            except DomainError:
                answer: CallbackAnswer = data["callback_answer"]
                answer.disable()
                raise

        return await super().__call__(answered_by_refused, event, data)


def lead_message(query: CallbackQuery, lead_id: int) -> Message | None:
    """The pressed message, if its buttons are this lead's: only such a message is changed in place, so
    a press with forged callback data cannot overwrite another message of the bot."""
    message = pressed_message(query)
    markup = message.reply_markup if message is not None else None
    if markup is None:
        return None
    for row in markup.inline_keyboard:
        for button in row:
            if lead_of(button.callback_data) == lead_id:
                return message
    return None


async def show_card(query: CallbackQuery, lead_id: int, renderer: TelegramRenderer) -> None:
    """Redraw the lead's card in the pressed message (if it is one of this lead's)."""
    message = lead_message(query, lead_id)
    if message is not None:
        await edit(message, await renderer.lead_card(lead_id, message.chat.id))


async def refused(event: ErrorEvent, renderer: TelegramRenderer) -> None:
    """The user sees why; nothing was changed. A stale card is redrawn so that they can try again."""
    error = event.exception
    assert isinstance(error, DomainError)  # the filter lets only these through
    query, message = event.update.callback_query, event.update.message
    if query is not None:
        with contextlib.suppress(TelegramBadRequest):  # the query may be too old to answer
            await query.answer(error.render(_)[:200], show_alert=True)
        lead_id = lead_of(query.data)
        if isinstance(error, StaleLead) and lead_id is not None:
            await show_card(query, lead_id, renderer)
    elif message is not None:
        await message.answer(error.render(_, html=True))


def setup(dispatcher: Dispatcher) -> None:
    dispatcher.callback_query.middleware(PressAnswers())
    dispatcher.errors.register(refused, ExceptionTypeFilter(DomainError))
