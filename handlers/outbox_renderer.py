"""Renders outbox rows for the delivery worker, in each chat's language and time zone."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from zoneinfo import ZoneInfo

from aiogram.utils.i18n import I18n

from handlers.cards import card_keyboard, card_text, digest_keyboard, digest_text
from handlers.render import clip, esc
from leadbot.config import Settings
from leadbot.delivery.worker import Rendered
from leadbot.services.registry import Services


class TelegramRenderer:
    def __init__(self, services: Services, i18n: I18n, settings: Settings) -> None:
        self._services = services
        self._i18n = i18n
        self._settings = settings

    async def _audience(self, chat_id: int) -> tuple[str, ZoneInfo]:
        """A private chat speaks its user's language and time; a group, the team defaults."""
        actor = await self._services.users.find(chat_id) if chat_id > 0 else None
        locale = actor.locale(self._settings.locale) if actor else self._settings.locale
        zone = actor.timezone if actor and actor.timezone else self._settings.timezone
        return locale, ZoneInfo(zone)

    async def lead_card(self, lead_id: int, chat_id: int, note: dict[str, Any] | None = None) -> Rendered:
        card = await self._services.queries.card(lead_id)
        locale, zone = await self._audience(chat_id)
        with self._i18n.context(), self._i18n.use_locale(locale):
            text = card_text(card, zone=zone, now=self._services.ctx.clock.now(), note=note)
            return Rendered(text, card_keyboard(card))

    async def digest(self, lead_ids: Sequence[int], chat_id: int) -> Rendered:
        rows = await self._services.queries.rows(lead_ids)
        locale, _zone = await self._audience(chat_id)
        with self._i18n.context(), self._i18n.use_locale(locale):
            lines = [f"#{row.id} · {esc(clip(row.title, 60))}" for row in rows]
            return Rendered(digest_text(lines, len(lead_ids)), digest_keyboard())
