"""Outbox rows and posted cards in the database: what is pending, what was sent, where cards live.
The delivery worker reads and marks them through this store; housekeeping purges them; a screen that sends
a card itself registers it here."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Lead, Outbox, PostedCard
from db.upsert import upsert
from leadbot.clock import Unsubscribe
from leadbot.services.context import ServiceContext
from leadbot.services.outbox import OutboxKind

CARD_EDIT = "card_edit"  # one edit of one posted card; made from a CARD_REFRESH by the worker
LIVE_CARDS_PER_CHAT = 3
PARTS_SENT = "parts_sent"  # payload key: how many parts of a long message went out already


class DeliveryStore:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    @property
    def alert_chat_id(self) -> int | None:
        """The team group named in the settings (ALERT_CHAT_ID)."""
        return self._ctx.settings.alert_chat_id

    def on_outbox_written(self, listener: Callable[[], None]) -> Unsubscribe:
        """Call `listener` after every transaction of this process that committed new outbox rows."""
        return self._ctx.outbox_bell.listen(listener)

    async def pending(self, now: datetime, limit: int = 500) -> Sequence[Outbox]:
        """Rows due now, in order, taken fairly: each chat's oldest row of each kind before the second row
        of any, so that no chat's backlog (nor a backlog of one kind, ahead of an edit) holds back others."""
        due = (Outbox.sent_at.is_(None), or_(Outbox.not_before.is_(None), Outbox.not_before <= now))
        turn = func.row_number().over(partition_by=(Outbox.chat_id, Outbox.kind), order_by=Outbox.id)
        ranked = select(Outbox.id, turn.label("turn")).where(*due).subquery()
        async with self._ctx.reading() as session:
            rows = await session.scalars(
                select(Outbox)
                .join(ranked, ranked.c.id == Outbox.id)
                .order_by(ranked.c.turn, Outbox.id)
                .limit(limit)
            )
            return sorted(rows.all(), key=lambda row: row.id)

    async def next_due(self, now: datetime) -> datetime | None:
        """When the first row put off until later (a backoff) falls due."""
        async with self._ctx.reading() as session:
            return await session.scalar(
                select(func.min(Outbox.not_before)).where(Outbox.sent_at.is_(None), Outbox.not_before > now)
            )

    async def expand_refreshes(self, now: datetime) -> int:
        """Turn each pending CARD_REFRESH into one CARD_EDIT per posted card of its lead."""
        async with self._ctx.transaction() as session:
            refreshes = (
                await session.scalars(
                    select(Outbox).where(Outbox.sent_at.is_(None), Outbox.kind == OutboxKind.CARD_REFRESH)
                )
            ).all()
            for refresh in refreshes:
                cards = await session.scalars(select(PostedCard).where(PostedCard.lead_id == refresh.lead_id))
                for card in cards:
                    session.add(
                        Outbox(
                            kind=CARD_EDIT,
                            chat_id=card.chat_id,
                            lead_id=refresh.lead_id,
                            payload={**refresh.payload, "message_id": card.message_id},
                            created_at=now,
                        )
                    )
                refresh.sent_at = now
            return len(refreshes)

    async def mark_sent(self, row_ids: Sequence[int], now: datetime, error: str | None = None) -> None:
        async with self._ctx.transaction() as session:
            await session.execute(
                update(Outbox).where(Outbox.id.in_(row_ids)).values(sent_at=now, last_error=error)
            )

    async def purge_sent(self, before: datetime) -> int:
        """Delete messages delivered (or given up on) before `before`; returns how many."""
        async with self._ctx.transaction() as session:
            result = await session.execute(delete(Outbox).where(Outbox.sent_at < before))
        return int(result.rowcount)  # type: ignore[attr-defined]

    async def postpone(self, row_ids: Sequence[int], until: datetime, error: str) -> None:
        async with self._ctx.transaction() as session:
            await session.execute(
                update(Outbox)
                .where(Outbox.id.in_(row_ids))
                .values(not_before=until, attempts=Outbox.attempts + 1, last_error=error[:255])
            )

    async def note_parts_sent(self, row_id: int, parts: int) -> None:
        """A long message goes out in parts: remember how many went, so a retry sends only the rest."""
        async with self._ctx.transaction() as session:
            row = await session.get(Outbox, row_id)
            if row is not None:
                row.payload = {**row.payload, PARTS_SENT: parts}

    async def mark_posted(
        self, row_ids: Sequence[int], lead_id: int, chat_id: int, message_id: int, now: datetime
    ) -> None:
        """The alert went out: mark its row sent; the new message is the lead's live card in that chat."""
        async with self._ctx.transaction() as session:
            await session.execute(
                update(Outbox).where(Outbox.id.in_(row_ids)).values(sent_at=now, last_error=None)
            )
            await self._remember(session, lead_id, chat_id, message_id, now)

    async def remember_card(self, lead_id: int, chat_id: int, message_id: int) -> None:
        """A card the bot itself has just sent to a chat (e.g. for /lead): it is kept up to date from now on.
        Never called for a message someone pressed: callback data can be forged, so a press proves nothing
        about which lead a message shows."""
        async with self._ctx.transaction() as session:
            if await session.get(Lead, lead_id) is not None:
                await self._remember(session, lead_id, chat_id, message_id, self._ctx.clock.now())

    async def _remember(
        self, session: AsyncSession, lead_id: int, chat_id: int, message_id: int, now: datetime
    ) -> None:
        """Keep the newest few cards of a lead per chat live; older ones stay as they are."""
        await upsert(
            session,
            PostedCard,
            ("chat_id", "message_id"),
            lead_id=lead_id,
            chat_id=chat_id,
            message_id=message_id,
            posted_at=now,
        )
        older = (
            await session.scalars(
                select(PostedCard.id)
                .where(PostedCard.lead_id == lead_id, PostedCard.chat_id == chat_id)
                .order_by(PostedCard.posted_at.desc(), PostedCard.id.desc())
                .offset(LIVE_CARDS_PER_CHAT)
            )
        ).all()
        if older:
            await session.execute(delete(PostedCard).where(PostedCard.id.in_(older)))

    async def move_chat(self, old_chat_id: int, new_chat_id: int, now: datetime) -> None:
        """A group became a supergroup: what waits for the group goes to the supergroup instead. Its cards
        stay behind in the old group, where they can no longer be edited: they are let go."""
        async with self._ctx.transaction() as session:
            waiting = (Outbox.chat_id == old_chat_id, Outbox.sent_at.is_(None))
            await session.execute(
                update(Outbox)
                .where(*waiting, Outbox.kind == CARD_EDIT)
                .values(sent_at=now, last_error=f"the group moved to supergroup {new_chat_id}")
            )
            await session.execute(update(Outbox).where(*waiting).values(chat_id=new_chat_id))
            await session.execute(delete(PostedCard).where(PostedCard.chat_id == old_chat_id))

    async def forget_card(self, chat_id: int, message_id: int) -> None:
        async with self._ctx.transaction() as session:
            await session.execute(
                delete(PostedCard).where(PostedCard.chat_id == chat_id, PostedCard.message_id == message_id)
            )
