"""The exclusion list: phones and e-mails that never create a lead (spam, pizza delivery)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import and_, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import CommKind, OwnerType, StatusSemantics
from db.models import Communication, Company, Contact, Exclusion, Lead, LeadStatus
from leadbot.actor import Actor
from leadbot.errors import InvalidPhone, NotFound
from leadbot.i18n_marker import N_
from leadbot.normalize import looks_like_email, normalize_email, normalize_phone
from leadbot.permissions import Permission, require, require_exclusion
from leadbot.services.context import ServiceContext
from leadbot.services.lead_input import clean_text
from leadbot.services.unit_of_work import unit_of_work


async def holders_of(
    session: AsyncSession, values: Sequence[tuple[CommKind, str]], *, other_than_lead: int | None = None
) -> set[int | None]:
    """Assignees (None: nobody) of the open leads, the contacts and the companies that have one of
    these phones/e-mails: the clients an exclusion of them would block."""
    if not values:
        return set()
    has_value = or_(
        *(and_(Communication.kind == kind, Communication.normalized == value) for kind, value in values)
    )
    owners = select(Communication.owner_id).where(has_value)
    lead_conditions = [
        Lead.id.in_(owners.where(Communication.owner_type == OwnerType.LEAD)),
        LeadStatus.semantics == StatusSemantics.PROCESS,
    ]
    if other_than_lead is not None:
        lead_conditions.append(Lead.id != other_than_lead)
    open_leads = (
        select(Lead.assignee_id).join(LeadStatus, LeadStatus.code == Lead.status_code).where(*lead_conditions)
    )
    contacts = select(Contact.assignee_id).where(
        Contact.id.in_(owners.where(Communication.owner_type == OwnerType.CONTACT))
    )
    companies = select(Company.assignee_id).where(
        Company.id.in_(owners.where(Communication.owner_type == OwnerType.COMPANY))
    )
    holders: set[int | None] = set()
    for query in (open_leads, contacts, companies):
        holders.update(await session.scalars(query))
    return holders


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
        """Exclude a phone or e-mail by hand (also outgoing-only numbers such as a pizza delivery).
        `by` is None for the command line; a manager may not block another manager's client."""
        kind, normalized = self.parse(value)
        note = clean_text("source_description", reason)
        try:
            async with unit_of_work(self._ctx, by) as tx:
                if by is not None:
                    require_exclusion(by, await holders_of(tx.session, [(kind, normalized)]))
                existing = await tx.session.scalar(
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
                return await tx.exclusions.add(entry, field=kind, new=normalized)
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
        async with unit_of_work(self._ctx, by) as tx:
            entry = await tx.exclusions.find(exclusion_id)
            if entry is None:
                raise NotFound(what=N_("Exclusion"), id=exclusion_id)
            await tx.exclusions.remove(entry)
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
