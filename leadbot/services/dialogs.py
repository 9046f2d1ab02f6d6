"""Dialog state (which question a user is answering, and what they typed so far), kept in the database.

A restart therefore does not drop a half-typed lead or a question the bot asked. A dialog left alone for
DIALOG_TTL is forgotten: a manager who pressed Comment yesterday and types something today is not
answering that question any more. Expired rows are purged by the nightly maintenance.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select

from db.models import DialogState
from db.upsert import upsert
from leadbot.services.context import ServiceContext

DIALOG_TTL = timedelta(hours=24)


def live(row: DialogState | None, now: datetime) -> bool:
    """Whether a stored dialog still counts: it exists and someone touched it within DIALOG_TTL."""
    return row is not None and row.updated_at >= now - DIALOG_TTL


class DialogStore:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    async def state(self, key: str) -> str | None:
        row = await self._live(key)
        return row.state if row is not None else None

    async def data(self, key: str) -> dict[str, Any]:
        row = await self._live(key)
        return dict(row.data) if row is not None else {}

    async def set_state(self, key: str, state: str | None) -> None:
        await self._write(key, state=state)

    async def set_data(self, key: str, data: Mapping[str, Any]) -> None:
        await self._write(key, data=dict(data))

    async def purge_expired(self) -> int:
        """Delete dialogs nobody touched for DIALOG_TTL; returns how many."""
        async with self._ctx.transaction() as session:
            result = await session.execute(
                delete(DialogState).where(DialogState.updated_at < self._ctx.clock.now() - DIALOG_TTL)
            )
        return int(result.rowcount)  # type: ignore[attr-defined]

    async def _live(self, key: str) -> DialogState | None:
        async with self._ctx.reading() as session:
            row = await session.scalar(select(DialogState).where(DialogState.key == key))
        return row if live(row, self._ctx.clock.now()) else None

    async def _write(self, key: str, **values: Any) -> None:
        """Store one part (state or data) and keep the other; an expired dialog starts afresh, and a
        dialog with neither state nor data is removed."""
        now = self._ctx.clock.now()
        async with self._ctx.transaction() as session:
            await session.execute(
                delete(DialogState).where(DialogState.key == key, DialogState.updated_at < now - DIALOG_TTL)
            )
            await upsert(session, DialogState, ("key",), key=key, updated_at=now, **values)
            row = await session.scalar(select(DialogState).where(DialogState.key == key))
            if row is not None and row.state is None and not row.data:
                await session.delete(row)
