"""Last resort: a press no handler took (an outdated or forged button) is answered, never left spinning;
a private message no dialog was waiting for gets a pointer to /help (in groups the bot keeps quiet)."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.types import CallbackQuery, Message

from handlers.callbacks import OutdatedButton
from handlers.i18n import _


async def outdated_button(query: CallbackQuery) -> None:
    raise OutdatedButton()


async def unexpected_message(message: Message) -> None:
    await message.answer(
        _(
            "I don't know what this message is for, so nothing was saved. "
            "/new adds a lead, /find searches, /help lists every command."
        )
    )


def router() -> Router:
    routes = Router(name="stray")
    routes.callback_query.register(outdated_button)
    routes.message.register(unexpected_message, F.chat.type == "private")
    return routes
