"""Per-update context: who is acting (`me`), and the refusal for anyone not registered."""

from __future__ import annotations

from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import CallbackQuery, Message, TelegramObject, User

from handlers.i18n import LANGUAGES, _
from leadbot.errors import NotRegistered
from leadbot.services.registry import Services

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]


class DropRepeatedUpdates(BaseMiddleware):
    """Telegram re-sends a webhook update when the answer was slow: handle each update_id once."""

    def __init__(self, remember: int = 2000) -> None:
        self._seen: set[int] = set()
        self._order: deque[int] = deque()
        self._remember = remember

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        update_id = getattr(event, "update_id", None)
        if update_id is not None:
            if update_id in self._seen:
                return None
            self._seen.add(update_id)
            self._order.append(update_id)
            if len(self._order) > self._remember:
                self._seen.discard(self._order.popleft())
        return await handler(event, data)


class ActorMiddleware(BaseMiddleware):
    """Puts the registered Actor (or None) in `data["me"]` for every update."""

    def __init__(self, services: Services) -> None:
        self._services = services

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        user: User | None = data.get("event_from_user")
        me = await self._services.users.find(user.id) if user is not None else None
        language = (user.language_code or "")[:2].lower() if user is not None else ""
        if me is not None and language in LANGUAGES and language != me.telegram_language:
            me = await self._services.users.note_telegram_language(me.telegram_id, language)
        data["me"] = me
        return await handler(event, data)


class RegisteredOnly(BaseMiddleware):
    """Lets only registered, active users through; everyone else gets a polite refusal and no data."""

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        if data.get("me") is not None:
            return await handler(event, data)
        refusal = NotRegistered().render(_)
        if isinstance(event, CallbackQuery):
            await event.answer(refusal, show_alert=True)
        elif isinstance(event, Message):
            await event.answer(refusal)
        return None
