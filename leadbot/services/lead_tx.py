"""What changes of a lead share: the actions logged, loading it, its status, who it concerns. The
change itself goes through the unit of work (`leadbot.services.unit_of_work`)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import StatusSemantics
from db.models import Lead, LeadStatus, User
from db.models.leads import seconds_since_creation
from leadbot.errors import LeadClosed, NotFound
from leadbot.i18n_marker import N_


class LeadAction(StrEnum):
    """What happened to a lead: the `action` of its history rows and of card refreshes."""

    CREATED = "created"
    TAKEN = "taken"
    ASSIGNED = "assigned"
    STATUS = "status"
    EDITED = "edited"
    COMMENTED = "commented"
    LINKED = "linked"
    CONVERTED = "converted"
    JUNKED = "junked"
    EXCLUDED = "excluded"
    REOPENED = "reopened"


async def load_lead(session: AsyncSession, lead_id: int) -> Lead:
    lead = await session.get(Lead, lead_id)
    if lead is None:
        raise NotFound(what=N_("Lead"), id=lead_id)
    return lead


async def status_of(session: AsyncSession, code: str) -> LeadStatus:
    status = await session.get(LeadStatus, code)
    if status is None:
        raise NotFound(what=N_("Status"), id=code)
    return status


async def is_open(session: AsyncSession, lead: Lead) -> bool:
    return (await status_of(session, lead.status_code)).semantics is StatusSemantics.PROCESS


async def require_open(session: AsyncSession, lead: Lead) -> None:
    if not await is_open(session, lead):
        raise LeadClosed()


async def user_name(session: AsyncSession, user_id: int | None) -> str:
    if user_id is None:
        return ""
    name = await session.scalar(select(User.name).where(User.id == user_id))
    return name or f"#{user_id}"


async def supervisors_of(session: AsyncSession, lead: Lead) -> set[int]:
    people = [uid for uid in (lead.creator_id, lead.assignee_id) if uid is not None]
    if not people:
        return set()
    rows = await session.scalars(select(User.supervisor_id).where(User.id.in_(people)))
    return {uid for uid in rows if uid is not None}


async def note_first_action(session: AsyncSession, lead: Lead, at: datetime) -> None:
    """A comment or a planned activity is a response to the lead too (the Speed report's first action).
    Written past the version counter: it changes nothing a posted card shows, so the card stays valid."""
    if lead.first_action_at is not None:
        return
    await session.execute(
        update(Lead)
        .where(Lead.id == lead.id, Lead.first_action_at.is_(None))
        .values(first_action_at=at, first_action_seconds=seconds_since_creation(lead, at))
    )
