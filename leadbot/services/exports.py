"""Exporting leads to a table that `leadbot import` reads back (the "id" column becomes the external id).
The file writer (`leadbot.intake.tables`) neutralises cells that would start a formula."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlalchemy import ColumnElement, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import CommKind, OwnerType
from db.models import Communication, Lead, User
from leadbot.actor import Actor
from leadbot.permissions import Permission, require
from leadbot.services.context import ServiceContext
from leadbot.services.directory_lookup import DirectoryLookup

MAX_EACH = 3
Comms = defaultdict[tuple[int, CommKind], list[str]]
HEADERS = [
    "id",
    "title",
    "name",
    "second_name",
    "last_name",
    "company_title",
    "post",
    "phone",
    "phone_2",
    "phone_3",
    "email",
    "email_2",
    "email_3",
    "status_id",
    "source_id",
    "source_description",
    "opportunity",
    "currency_id",
    "assigned_by_id",
    "comments",
    "created_at",
]


class ExportService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    async def rows(
        self,
        *,
        status: str | None = None,
        source: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        by: Actor | None = None,
    ) -> list[list[object]]:
        """Leads created in [since, until), of a status and a source given by code or by name in either
        language (an unknown one is refused, not matched by nothing). `by` is None for the command line;
        in the bot only supervisors and admins export."""
        if by is not None:
            require(by, Permission.EXPORT)
        async with self._ctx.reading() as session:
            conditions = await self._conditions(session, status, source, since, until)
            leads = (await session.scalars(select(Lead).where(*conditions).order_by(Lead.id))).all()
            comms = await self._comms(session, [lead.id for lead in leads])
            users = await session.execute(select(User.id, User.telegram_id))
            telegram = {user.id: user.telegram_id for user in users}
        return [_row(lead, comms, telegram) for lead in leads]

    @staticmethod
    async def _conditions(
        session: AsyncSession,
        status: str | None,
        source: str | None,
        since: datetime | None,
        until: datetime | None,
    ) -> list[ColumnElement[bool]]:
        conditions: list[ColumnElement[bool]] = []
        if since:
            conditions.append(Lead.created_at >= since)
        if until:
            conditions.append(Lead.created_at < until)
        if status or source:
            directories = await DirectoryLookup.load(session)
            if status:
                conditions.append(Lead.status_code == directories.status(status))
            if source:
                conditions.append(Lead.source_code == directories.source(source))
        return conditions

    @staticmethod
    async def _comms(session: AsyncSession, ids: list[int]) -> Comms:
        """The leads' phones and e-mails in the order they were added (in batches: SQLite's 999 variables)."""
        comms: Comms = defaultdict(list)
        for start in range(0, len(ids), 900):
            found = await session.execute(
                select(
                    Communication.owner_id, Communication.kind, Communication.raw, Communication.normalized
                )
                .where(
                    Communication.owner_type == OwnerType.LEAD,
                    Communication.owner_id.in_(ids[start : start + 900]),
                )
                .order_by(Communication.id)
            )
            for owner_id, kind, raw, normalized in found:
                comms[(owner_id, kind)].append(normalized or raw)
        return comms


def _row(lead: Lead, comms: Comms, telegram: dict[int, int]) -> list[object]:
    """One lead in HEADERS' order; at most MAX_EACH phones and e-mails, padded with empty cells."""
    phones = (comms[(lead.id, CommKind.PHONE)] + [""] * MAX_EACH)[:MAX_EACH]
    emails = (comms[(lead.id, CommKind.EMAIL)] + [""] * MAX_EACH)[:MAX_EACH]
    return [
        lead.id,
        lead.title,
        lead.name,
        lead.second_name,
        lead.last_name,
        lead.company_title,
        lead.post,
        *phones,
        *emails,
        lead.status_code,
        lead.source_code,
        lead.source_description,
        str(lead.amount) if lead.amount is not None else "",
        lead.currency,
        telegram.get(lead.assignee_id) if lead.assignee_id else "",
        lead.comment,
        lead.created_at.isoformat(timespec="seconds"),
    ]
