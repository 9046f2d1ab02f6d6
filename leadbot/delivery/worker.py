"""The delivery worker: sends outbox rows within Telegram's limits, retries, survives restarts.

A row is marked sent in its own short transaction right after Telegram accepts it; the only window for a
double send is a crash between Telegram's answer and that commit. Under a burst, pending alerts for one
group are folded into a digest; several pending edits of one card are sent once, in the latest state.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Protocol

from aiogram import Bot
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.types import InlineKeyboardMarkup

from db.models import Outbox
from leadbot.clock import Clock, SystemClock
from leadbot.delivery.limits import RateLimits, is_group
from leadbot.delivery.store import CARD_EDIT, DeliveryStore
from leadbot.services.outbox import OutboxKind

log = logging.getLogger("leadbot.delivery")

DIGEST_THRESHOLD = 5
MAX_BACKOFF = 300
TICK = 0.2


@dataclass(frozen=True)
class Rendered:
    text: str
    markup: InlineKeyboardMarkup | None = None


class Renderer(Protocol):
    """Turns ids into Telegram messages in the chat's language (implemented by the UI layer)."""

    async def lead_card(self, lead_id: int, chat_id: int, note: dict[str, Any] | None = None) -> Rendered: ...

    async def digest(self, lead_ids: Sequence[int], chat_id: int) -> Rendered: ...

    async def message(
        self, kind: str, payload: dict[str, Any], lead_id: int | None, chat_id: int
    ) -> Rendered | None: ...


class DeliveryWorker:
    def __init__(
        self,
        bot: Bot,
        store: DeliveryStore,
        renderer: Renderer,
        *,
        clock: Clock | None = None,
        limits: RateLimits | None = None,
        request_timeout: float = 15.0,
    ) -> None:
        self._bot = bot
        self._store = store
        self._renderer = renderer
        self._clock = clock or SystemClock()
        self._limits = limits or RateLimits()
        self._timeout = request_timeout
        self._stopping = asyncio.Event()

    async def run(self) -> None:
        while not self._stopping.is_set():
            try:
                await self.tick()
            except Exception:  # a bad row or a database hiccup must not stop delivery
                log.exception("delivery tick failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), TICK)

    def stop(self) -> None:
        self._stopping.set()

    async def tick(self) -> None:
        now = self._clock.now()
        await self._store.expand_refreshes(now)
        by_chat: dict[int, list[Outbox]] = defaultdict(list)
        for row in await self._store.pending(now):
            if row.chat_id is not None:
                by_chat[row.chat_id].append(row)
        for chat_id, rows in by_chat.items():
            if self._stopping.is_set():
                return
            if self._limits.ready(chat_id):
                await self._send_next(chat_id, rows)

    async def _send_next(self, chat_id: int, rows: list[Outbox]) -> None:
        alerts = [r for r in rows if r.kind == OutboxKind.LEAD_ALERT]
        if is_group(chat_id) and len(alerts) >= DIGEST_THRESHOLD:
            lead_ids = [r.lead_id for r in alerts if r.lead_id is not None]
            await self._deliver(alerts, chat_id, lambda: self._renderer.digest(lead_ids, chat_id))
            return
        row = rows[0]
        if row.kind == CARD_EDIT:
            message_id = row.payload["message_id"]
            same_card = [r for r in rows if r.kind == CARD_EDIT and r.payload.get("message_id") == message_id]
            latest = same_card[-1]
            await self._deliver(
                same_card,
                chat_id,
                lambda: self._renderer.lead_card(latest.lead_id or 0, chat_id, latest.payload),
                edit_message_id=message_id,
            )
        elif row.kind == OutboxKind.LEAD_ALERT:
            await self._deliver(
                [row], chat_id, lambda: self._renderer.lead_card(row.lead_id or 0, chat_id), post=row
            )
        else:
            await self._deliver(
                [row], chat_id, lambda: self._renderer.message(row.kind, row.payload, row.lead_id, chat_id)
            )

    async def _deliver(
        self,
        rows: Sequence[Outbox],
        chat_id: int,
        render: Any,
        *,
        edit_message_id: int | None = None,
        post: Outbox | None = None,
    ) -> None:
        ids = [r.id for r in rows]
        self._limits.spend(chat_id)
        try:
            rendered: Rendered | None = await render()
            if rendered is None:  # nothing to say any more (a deleted reminder, a lead taken meanwhile)
                await self._store.mark_sent(ids, self._clock.now(), error="obsolete")
                return
            if edit_message_id is not None:
                await self._edit(chat_id, edit_message_id, rendered)
                await self._store.mark_sent(ids, self._clock.now())
                return
            message = await self._bot.send_message(
                chat_id, rendered.text, reply_markup=rendered.markup, request_timeout=int(self._timeout)
            )
        except TelegramRetryAfter as error:
            self._limits.pause(chat_id, error.retry_after)
            await self._store.postpone(ids, self._clock.now() + timedelta(seconds=error.retry_after), "429")
            return
        except (TelegramServerError, TelegramNetworkError, TimeoutError) as error:
            attempts = max(r.attempts for r in rows) + 1
            delay = min(2**attempts, MAX_BACKOFF)
            await self._store.postpone(ids, self._clock.now() + timedelta(seconds=delay), str(error))
            return
        except (TelegramForbiddenError, TelegramBadRequest) as error:
            log.warning("chat %s refused a message: %s", chat_id, error.message)
            await self._store.mark_sent(ids, self._clock.now(), error=error.message[:255])
            return
        if post is not None and post.lead_id is not None:
            await self._store.mark_posted(ids, post.lead_id, chat_id, message.message_id, self._clock.now())
        else:
            await self._store.mark_sent(ids, self._clock.now())

    async def _edit(self, chat_id: int, message_id: int, rendered: Rendered) -> None:
        try:
            await self._bot.edit_message_text(
                text=rendered.text,
                chat_id=chat_id,
                message_id=message_id,
                reply_markup=rendered.markup,
                request_timeout=int(self._timeout),
            )
        except TelegramBadRequest as error:
            if "message is not modified" in error.message:
                return
            if "message to edit not found" in error.message:
                await self._store.forget_card(chat_id, message_id)
                return
            raise
