"""Last resort: a press no handler took (an outdated or forged button) is answered, never left spinning."""

from __future__ import annotations

from aiogram import Router
from aiogram.types import CallbackQuery

from handlers.i18n import _


async def outdated_button(query: CallbackQuery) -> None:
    await query.answer(_("This button is outdated."), show_alert=True)


def router() -> Router:
    routes = Router(name="stray")
    routes.callback_query.register(outdated_button)
    return routes
