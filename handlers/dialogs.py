"""/cancel: leaves any dialog."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import Message, ReplyKeyboardRemove

from handlers.i18n import _


async def cancel(message: Message, state: FSMContext) -> None:
    had_dialog = await state.get_state() is not None
    await state.clear()
    text = _("Cancelled. Nothing was saved.") if had_dialog else _("There is nothing to cancel.")
    await message.answer(text, reply_markup=ReplyKeyboardRemove())


def router() -> Router:
    routes = Router(name="dialogs")
    routes.message.register(cancel, Command("cancel"))
    return routes
