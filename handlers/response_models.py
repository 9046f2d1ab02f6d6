"""Keeps the models aiogram reads Bot API answers with.

aiogram reads every answer with `Response[T]`, a pydantic generic model built on first use; pydantic keeps
such models in a weak cache, so each garbage collection drops them and the next answer builds its model
again (milliseconds each, on every press after a collection). Holding them here keeps them built."""

from __future__ import annotations

from typing import Any

from aiogram import methods
from aiogram.methods.base import Response

USED = (  # every Bot API method the bot calls
    methods.GetMe,
    methods.GetUpdates,
    methods.SetWebhook,
    methods.DeleteWebhook,
    methods.SetMyCommands,
    methods.DeleteMyCommands,
    methods.SendMessage,
    methods.SendDocument,
    methods.SendPhoto,
    methods.EditMessageText,
    methods.EditMessageReplyMarkup,
    methods.AnswerCallbackQuery,
    methods.DeleteMessage,
    methods.GetFile,
)
_kept: list[Any] = []


def keep_response_models() -> None:
    """Build (once) and hold the answer models of the methods in USED."""
    if not _kept:
        _kept.extend(Response[method.__returning__] for method in USED)  # type: ignore[name-defined]
