"""The exclusion list: phones and e-mails that never create a lead (spam, pizza delivery)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from db.enums import CommKind
from db.models import Exclusion
from leadbot.actor import Actor
from leadbot.errors import InvalidPhone, NotFound
from leadbot.i18n_marker import N_
from leadbot.normalize import looks_like_email, normalize_email, normalize_phone
from leadbot.permissions import Permission, require
from leadbot.services.context import ServiceContext
from leadbot.services.lead_input import clean_text


class ExclusionService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    def parse(self, value: str) -> tuple[CommKind, str]:
        if looks_like_email(value):
            return CommKind.EMAIL, normalize_email(value)
        phone = normalize_phone(value, self._ctx.settings.default_region)
        if phone is None:
            raise InvalidPhone(value=value[:64])
        return CommKind.PHONE, phone

    async def add(self, value: str, by: Actor | None, reason: str | None = None) -> Exclusion:
        """Exclude a phone or e-mail by hand (also outgoing-only numbers such as a pizza delivery)."""
        kind, normalized = self.parse(value)
        note = clean_text("source_description", reason)
        try:
            async with self._ctx.transaction() as session:
                existing = await session.scalar(
                    select(Exclusion).where(Exclusion.kind == kind, Exclusion.normalized == normalized)
                )
                if existing is not None:
                    return existing
                entry = Exclusion(
                    kind=kind,
                    normalized=normalized,
                    reason=note,
                    created_by_id=by.id if by else None,
                    created_at=self._ctx.clock.now(),
                )
                session.add(entry)
                return entry
        except IntegrityError:
            async with self._ctx.reading() as session:
                found = await session.scalar(
                    select(Exclusion).where(Exclusion.kind == kind, Exclusion.normalized == normalized)
                )
            if found is None:
                raise
            return found

    async def remove(self, exclusion_id: int, by: Actor) -> Exclusion:
        require(by, Permission.REMOVE_EXCLUSION)
        async with self._ctx.transaction() as session:
            entry = await session.get(Exclusion, exclusion_id)
            if entry is None:
                raise NotFound(what=N_("Exclusion"), id=exclusion_id)
            await session.delete(entry)
            return entry

    async def page(self, offset: int = 0, limit: int = 20) -> tuple[Sequence[Exclusion], int]:
        async with self._ctx.reading() as session:
            total = await session.scalar(select(func.count()).select_from(Exclusion)) or 0
            rows = await session.scalars(
                select(Exclusion)
                .order_by(Exclusion.created_at.desc(), Exclusion.id.desc())
                .offset(offset)
                .limit(limit)
            )
            return rows.all(), total
