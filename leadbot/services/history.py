"""The change log: every change of a lead is written here, in the transaction of the change."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import HistoryEntry
from leadbot.services.context import ServiceContext


def as_text(value: Any) -> str | None:
    if value is None:
        return None
    if hasattr(value, "value"):  # enums
        return str(value.value)
    return str(value)


def record(
    session: AsyncSession,
    *,
    entity: str,
    entity_id: int,
    user_id: int | None,
    action: str,
    at: datetime,
    field: str | None = None,
    old: Any = None,
    new: Any = None,
) -> None:
    session.add(
        HistoryEntry(
            entity=entity,
            entity_id=entity_id,
            user_id=user_id,
            action=action,
            field=field,
            old=as_text(old),
            new=as_text(new),
            at=at,
        )
    )


def record_changes(
    session: AsyncSession,
    *,
    entity: str,
    entity_id: int,
    user_id: int | None,
    action: str,
    at: datetime,
    changes: Mapping[str, tuple[Any, Any]],
) -> None:
    """One row per changed field; fields whose old and new values are equal are skipped."""
    for field_name, (old, new) in changes.items():
        if as_text(old) != as_text(new):
            record(
                session,
                entity=entity,
                entity_id=entity_id,
                user_id=user_id,
                action=action,
                at=at,
                field=field_name,
                old=old,
                new=new,
            )


@dataclass(frozen=True)
class HistoryPage:
    entries: Sequence[HistoryEntry]
    total: int


class HistoryService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    async def of_lead(
        self,
        lead_id: int,
        *,
        user_id: int | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        offset: int = 0,
        limit: int = 50,
    ) -> HistoryPage:
        """A lead's change log, oldest first, filterable by user and by period [since, until)."""
        conditions = [HistoryEntry.entity == "lead", HistoryEntry.entity_id == lead_id]
        if user_id is not None:
            conditions.append(HistoryEntry.user_id == user_id)
        if since is not None:
            conditions.append(HistoryEntry.at >= since)
        if until is not None:
            conditions.append(HistoryEntry.at < until)
        async with self._ctx.reading() as session:
            total = await session.scalar(select(func.count()).select_from(HistoryEntry).where(*conditions))
            rows = await session.scalars(
                select(HistoryEntry)
                .where(*conditions)
                .order_by(HistoryEntry.at, HistoryEntry.id)
                .offset(offset)
                .limit(limit)
            )
            return HistoryPage(entries=rows.all(), total=total or 0)
