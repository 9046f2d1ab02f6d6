"""Phones and e-mails of leads, contacts and companies."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import CommKind, CommValueType, OwnerType
from db.models import Communication
from leadbot.normalize import CommValue


class CommLike(Protocol):
    @property
    def kind(self) -> CommKind: ...
    @property
    def raw(self) -> str: ...
    @property
    def normalized(self) -> str | None: ...


async def comms_of(session: AsyncSession, owner_type: OwnerType, owner_id: int) -> Sequence[Communication]:
    rows = await session.scalars(
        select(Communication)
        .where(Communication.owner_type == owner_type, Communication.owner_id == owner_id)
        .order_by(Communication.id)
    )
    return rows.all()


def add_comms(
    session: AsyncSession,
    owner_type: OwnerType,
    owner_id: int,
    values: Iterable[CommValue],
    value_type: CommValueType = CommValueType.WORK,
) -> list[Communication]:
    added = [
        Communication(
            owner_type=owner_type,
            owner_id=owner_id,
            kind=value.kind,
            raw=value.raw,
            normalized=value.normalized,
            value_type=value_type,
        )
        for value in values
    ]
    session.add_all(added)
    return added


async def copy_new_comms(
    session: AsyncSession,
    source: Iterable[CommLike],
    owner_type: OwnerType,
    owner_id: int,
) -> list[Communication]:
    """Give the owner every recognised phone/e-mail of `source` that it does not have yet."""
    existing = {(c.kind, c.normalized) for c in await comms_of(session, owner_type, owner_id)}
    fresh: list[Communication] = []
    for comm in source:
        key = (comm.kind, comm.normalized)
        if comm.normalized is None or key in existing:
            continue
        existing.add(key)
        fresh.append(
            Communication(
                owner_type=owner_type,
                owner_id=owner_id,
                kind=comm.kind,
                raw=comm.raw,
                normalized=comm.normalized,
                value_type=getattr(comm, "value_type", CommValueType.WORK),
            )
        )
    session.add_all(fresh)
    return fresh


def recognised(comms: Iterable[CommLike]) -> list[tuple[CommKind, str]]:
    return [(c.kind, c.normalized) for c in comms if c.normalized is not None]
