"""Phones and e-mails by normalised value, the one lookup behind exclusions, duplicates and matches:
an indexed search on (kind, normalized) for a batch of values."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, and_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from db.enums import CommKind, OwnerType
from db.models import Communication, Exclusion

Values = Iterable[tuple[CommKind, str]]


def any_value(
    kind_column: InstrumentedAttribute[CommKind], value_column: InstrumentedAttribute[str], values: Values
) -> ColumnElement[bool]:
    """kind = K1 AND value IN (...) OR kind = K2 AND value IN (...): one indexed range per kind."""
    by_kind: dict[CommKind, set[str]] = defaultdict(set)
    for kind, value in values:
        by_kind[kind].add(value)
    return or_(
        *(and_(kind_column == kind, value_column.in_(sorted(found))) for kind, found in by_kind.items())
    )


async def exclusions_of(session: AsyncSession, values: Sequence[tuple[CommKind, str]]) -> list[Exclusion]:
    """The exclusions among these values."""
    if not values:
        return []
    rows = await session.scalars(
        select(Exclusion).where(any_value(Exclusion.kind, Exclusion.normalized, values))  # type: ignore[arg-type]
    )
    return list(rows)


async def count_hits(session: AsyncSession, hits: Sequence[Exclusion], now: datetime) -> None:
    """An intake stopped by these exclusions: their hit counters go up."""
    await session.execute(
        update(Exclusion)
        .where(Exclusion.id.in_([hit.id for hit in hits]))
        .values(hits=Exclusion.hits + 1, last_hit_at=now)
    )


async def count_hits_by_value(
    session: AsyncSession, hits: dict[tuple[CommKind, str], int], now: datetime
) -> None:
    """Many intakes stopped (an import's chunk): each exclusion's counter goes up by its count."""
    for (kind, value), count in hits.items():
        if count:
            await session.execute(
                update(Exclusion)
                .where(Exclusion.kind == kind, Exclusion.normalized == value)
                .values(hits=Exclusion.hits + count, last_hit_at=now)
            )


async def owners_of(
    session: AsyncSession, values: Sequence[tuple[CommKind, str]], types: Sequence[OwnerType] = ()
) -> list[tuple[OwnerType, int, CommKind, str]]:
    """(owner type, owner id, kind, value) of every phone/e-mail with one of these values; `types`
    limits the owners (all when empty)."""
    if not values:
        return []
    query = select(
        Communication.owner_type, Communication.owner_id, Communication.kind, Communication.normalized
    ).where(any_value(Communication.kind, Communication.normalized, values))  # type: ignore[arg-type]
    if types:
        query = query.where(Communication.owner_type.in_(types))
    return [
        (owner_type, owner_id, kind, value or "")
        for owner_type, owner_id, kind, value in await session.execute(query)
    ]
