"""Renders outbox rows for the delivery worker, in each chat's language and time zone."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Self
from zoneinfo import ZoneInfo

from aiogram.utils.i18n import I18n

from handlers.cards import card_keyboard, card_text, digest_keyboard, digest_text
from handlers.i18n import _
from handlers.reminders import agenda, notice_keyboard, notice_text, reminder_keyboard, reminder_text
from handlers.render import clip, esc
from handlers.reports import weekly_summary
from leadbot.actor import Actor
from leadbot.clock import Clock
from leadbot.config import Settings
from leadbot.errors import DomainError
from leadbot.rendering import Rendered
from leadbot.services.activities import ActivityService
from leadbot.services.outbox import OutboxKind
from leadbot.services.queries import LeadQueries
from leadbot.services.registry import Services
from leadbot.services.reports import ReportService
from leadbot.services.users import UserService
from leadbot.services.waiting import still_waiting


class TelegramRenderer:
    """Renders outbox rows (`leadbot.rendering.Renderer`) and the live cards the handlers post."""

    def __init__(
        self,
        *,
        queries: LeadQueries,
        users: UserService,
        activities: ActivityService,
        reports: ReportService,
        clock: Clock,
        i18n: I18n,
        settings: Settings,
    ) -> None:
        self._queries = queries
        self._users = users
        self._activities = activities
        self._reports = reports
        self._clock = clock
        self._i18n = i18n
        self._settings = settings

    @classmethod
    def of(cls, services: Services, i18n: I18n, settings: Settings) -> Self:
        """For the composition roots: the parts it uses, taken from `services`."""
        return cls(
            queries=services.queries,
            users=services.users,
            activities=services.activities,
            reports=services.reports,
            clock=services.clock,
            i18n=i18n,
            settings=settings,
        )

    async def _audience(self, chat_id: int, viewer: Actor | None = None) -> tuple[str, ZoneInfo]:
        """A private chat speaks its user's language and time; a group, the team defaults. `viewer`: the
        user already known to act in this update (not read again when the chat is theirs)."""
        if viewer is not None and viewer.telegram_id == chat_id:
            actor: Actor | None = viewer
        else:
            actor = await self._users.find(chat_id) if chat_id > 0 else None
        if actor is None:
            return self._settings.locale, self._settings.zone
        return actor.locale(self._settings.locale), actor.zone(self._settings.timezone)

    async def lead_card(
        self, lead_id: int, chat_id: int, note: dict[str, Any] | None = None, viewer: Actor | None = None
    ) -> Rendered:
        card = await self._queries.card(lead_id)
        locale, zone = await self._audience(chat_id, viewer)
        with self._i18n.context(), self._i18n.use_locale(locale):
            text = card_text(card, zone=zone, now=self._clock.now(), note=note)
            return Rendered(text, card_keyboard(card))

    async def message(
        self, kind: str, payload: dict[str, Any], lead_id: int | None, chat_id: int
    ) -> Rendered | None:
        """Reminders, nudges and morning digests; None when there is nothing to say any more."""
        locale, zone = await self._audience(chat_id)
        with self._i18n.context(), self._i18n.use_locale(locale):
            if kind == OutboxKind.REMINDER:
                return await self._reminder(int(payload["activity_id"]), zone, late=bool(payload.get("late")))
            if kind == OutboxKind.NOTICE and payload.get("key") == "calling":
                return await self._calling(payload, lead_id, zone)
            if kind == OutboxKind.NOTICE and lead_id is not None:
                return await self._notice(payload, lead_id)
            if kind == OutboxKind.WEEKLY_SUMMARY:
                return await weekly_summary(self._reports, self._clock, zone, locale)
            if kind == OutboxKind.MORNING_DIGEST:
                heading = "☀️ <b>" + _("Good morning! Your day:") + "</b>"
                return await agenda(
                    self._activities, self._queries, self._clock, int(payload["user_id"]), zone, heading
                )
        return None

    async def _notice(self, payload: dict[str, Any], lead_id: int) -> Rendered | None:
        card = await self._queries.card(lead_id)
        if not still_waiting(card):
            return None
        row = (await self._queries.rows([lead_id]))[0]
        text = notice_text(str(payload["key"]), row, int(payload.get("minutes", 0)))
        return Rendered(text, notice_keyboard(lead_id, card.lead.version))

    async def _calling(self, payload: dict[str, Any], lead_id: int | None, zone: ZoneInfo) -> Rendered:
        """ "Calling now": the caller's lead card (with what we know of them) and its buttons."""
        head = "📞 <b>" + _("Calling now: {name}").format(name=esc(str(payload.get("name", "")))) + "</b>"
        if lead_id is None:
            return Rendered(head)
        card = await self._queries.card(lead_id)
        text = card_text(card, zone=zone, now=self._clock.now())
        return Rendered(head + "\n" + text, card_keyboard(card))

    async def _reminder(self, activity_id: int, zone: ZoneInfo, *, late: bool) -> Rendered | None:
        try:
            activity = await self._activities.get(activity_id)
        except DomainError:
            return None  # deleted before its turn
        if activity.done:
            return None
        rows = await self._queries.rows([activity.lead_id]) if activity.lead_id else []
        title = rows[0].title if rows else ""
        return Rendered(reminder_text(activity, title, zone, late=late), reminder_keyboard(activity))

    async def digest(self, lead_ids: Sequence[int], chat_id: int) -> Rendered:
        rows = await self._queries.rows(lead_ids)
        locale, _zone = await self._audience(chat_id)
        with self._i18n.context(), self._i18n.use_locale(locale):
            lines = [f"#{row.id} · {esc(clip(row.title, 60))}" for row in rows]
            return Rendered(digest_text(lines, len(lead_ids)), digest_keyboard())
