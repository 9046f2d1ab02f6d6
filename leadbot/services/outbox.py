"""Writes outbox rows: the only way services ask for Telegram messages. The delivery worker sends them,
woken by the commit (a row written some other way must call `note_outbox_written` on its session)."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Outbox
from leadbot.services.context import note_outbox_written


class OutboxKind(StrEnum):
    LEAD_ALERT = "lead_alert"  # post a new lead card to chat_id
    CARD_REFRESH = "card_refresh"  # edit every posted card of lead_id
    REMINDER = "reminder"  # a due activity: payload activity_id, late
    NOTICE = "notice"  # a short note about lead_id: payload key (what happened) and its figures
    MORNING_DIGEST = "morning_digest"  # the user's day: payload user_id
    WEEKLY_SUMMARY = "weekly_summary"  # last week's report figures for a supervisor: payload user_id


def announce_lead(session: AsyncSession, lead_id: int, chat_ids: set[int | None]) -> None:
    for chat_id in sorted(chat for chat in chat_ids if chat is not None):
        note_outbox_written(session)
        session.add(Outbox(kind=OutboxKind.LEAD_ALERT, chat_id=chat_id, lead_id=lead_id, payload={}))


def refresh_cards(session: AsyncSession, lead_id: int, *, actor_name: str | None, action: str) -> None:
    note_outbox_written(session)
    session.add(
        Outbox(
            kind=OutboxKind.CARD_REFRESH,
            lead_id=lead_id,
            payload={"by": actor_name, "action": action},
        )
    )


def message(
    session: AsyncSession, kind: OutboxKind, chat_id: int, lead_id: int | None = None, **payload: Any
) -> None:
    """A message rendered by the worker when its turn comes (so it shows the state of that moment)."""
    note_outbox_written(session)
    session.add(Outbox(kind=kind, chat_id=chat_id, lead_id=lead_id, payload=payload))
