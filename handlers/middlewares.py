"""Per-update context: who is acting (`me`), and the refusal for anyone not registered."""

from __future__ import annotations

import logging
from collections import OrderedDict, deque
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

from aiogram import BaseMiddleware
from aiogram.exceptions import TelegramAPIError
from aiogram.fsm.middleware import FSMContextMiddleware
from aiogram.types import CallbackQuery, Message, TelegramObject, User

from handlers.dialog_storage import DatabaseStorage
from handlers.i18n import LANGUAGES, _
from leadbot.clock import Clock
from leadbot.errors import NotRegistered
from leadbot.services.users import UserService

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]
log = logging.getLogger("leadbot.strangers")


class StrangerRefusals:
    """Tells someone who is not registered why nothing happens, in a message at most once per `period`
    per person and at most `per_minute` messages to all strangers together, so that a flood from
    strangers (one or thousands) cannot spend the bot's sending budget. Only the latest `remember`
    strangers are remembered. A press is always answered (it would keep spinning otherwise)."""

    def __init__(
        self,
        clock: Clock,
        period: timedelta = timedelta(minutes=10),
        remember: int = 10_000,
        per_minute: int = 20,
    ) -> None:
        self._clock = clock
        self._period = period
        self._remember = remember
        self._per_minute = per_minute
        self._told: OrderedDict[int, datetime] = OrderedDict()
        self._recent: deque[datetime] = deque()  # when the messages of the last minute went

    def due(self, user_id: int) -> bool:
        """Whether this person may be told now; if so, counted as told."""
        now = self._clock.now()
        told = self._told.get(user_id)
        if told is not None and now - told < self._period:
            return False
        while self._recent and now - self._recent[0] >= timedelta(minutes=1):
            self._recent.popleft()
        if len(self._recent) >= self._per_minute:
            return False
        self._recent.append(now)
        self._told[user_id] = now
        self._told.move_to_end(user_id)
        while len(self._told) > self._remember:
            self._told.popitem(last=False)
        return True

    async def refuse(self, event: TelegramObject, text: str) -> None:
        """Best effort: a refusal Telegram does not take (a 429 included) is skipped, not retried."""
        try:
            if isinstance(event, CallbackQuery):
                await event.answer(text, show_alert=True)
            elif isinstance(event, Message) and event.from_user is not None and self.due(event.from_user.id):
                await event.answer(text)
        except TelegramAPIError as error:
            log.warning("a refusal to a stranger was not sent: %s", error)


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
    """Puts the registered Actor (or None) in `data["me"]` for every update. It runs just before aiogram's
    FSM middleware (`fsm`) and reads the dialog state for it in the same statement (`DatabaseStorage`)."""

    def __init__(self, users: UserService, storage: DatabaseStorage, fsm: FSMContextMiddleware) -> None:
        self._users = users
        self._storage = storage
        self._fsm = fsm

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        user: User | None = data.get("event_from_user")
        me = None
        if user is not None:
            context = self._fsm.resolve_event_context(data["bot"], data)
            me = await self._storage.arrive(user.id, context.key if context is not None else None)
        language = (user.language_code or "")[:2].lower() if user is not None else ""
        if me is not None and language in LANGUAGES and language != me.telegram_language:
            me = await self._users.note_telegram_language(me.telegram_id, language)
        data["me"] = me
        return await handler(event, data)


class RegisteredOnly(BaseMiddleware):
    """Lets only registered, active users through; everyone else gets a polite refusal (`StrangerRefusals`)
    and no data."""

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        if data.get("me") is not None:
            return await handler(event, data)
        strangers: StrangerRefusals = data["strangers"]
        await strangers.refuse(event, NotRegistered().render(_))
        return None
