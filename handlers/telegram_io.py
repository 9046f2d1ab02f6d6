"""Small wrappers over aiogram calls that must not fail on harmless Telegram answers."""

from __future__ import annotations

from aiogram.exceptions import TelegramBadRequest
from aiogram.types import CallbackQuery, InaccessibleMessage, InlineKeyboardMarkup, Message

from leadbot.rendering import Rendered
from leadbot.text_split import split_html


def pressed_message(query: CallbackQuery) -> Message | None:
    message = query.message
    return None if message is None or isinstance(message, InaccessibleMessage) else message


async def answer_long(message: Message, text: str) -> None:
    """Answer with a text of any length: as several messages when it does not fit in one."""
    for part in split_html(text):
        await message.answer(part)


async def edit(message: Message, rendered: Rendered) -> None:
    """Edit text and keyboard; "message is not modified" is not an error."""
    try:
        await message.edit_text(rendered.text, reply_markup=rendered.markup)
    except TelegramBadRequest as error:
        if "message is not modified" not in error.message:
            raise


async def edit_markup(message: Message, markup: InlineKeyboardMarkup | None) -> None:
    try:
        await message.edit_reply_markup(reply_markup=markup)
    except TelegramBadRequest as error:
        if "message is not modified" not in error.message:
            raise
