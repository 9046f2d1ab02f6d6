"""The change log: every change of a lead is written here, in the transaction of the change, as raw
text (codes, ids, ISO moments); `log_of_lead` reads it back for people, resolving and parsing it."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, cast

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import ActivityKind, CommKind
from db.models import Company, Contact, Deal, HistoryEntry, JunkReason, LeadStatus, Source, User
from db.types import DB_INT_MAX
from leadbot.services.context import ServiceContext

DirectoryEntry = LeadStatus | Source | JunkReason  # what a stored code is resolved to (not imported from
# services.directories, which writes through the unit of work, which writes through this module)


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
    entity_id: int | str,
    user_id: int | None,
    action: str,
    at: datetime,
    field: str | None = None,
    old: Any = None,
    new: Any = None,
) -> None:
    """One row; `entity_id` is the row's id, or its code for an entry keyed by code (a directory's)."""
    session.add(
        HistoryEntry(
            entity=entity,
            entity_id=entity_id if isinstance(entity_id, int) else None,
            entity_code=entity_id if isinstance(entity_id, str) else None,
            user_id=user_id,
            action=action,
            field=field,
            old=as_text(old),
            new=as_text(new),
            at=at,
        )
    )


@dataclass(frozen=True)
class HistoryPage:
    entries: Sequence[HistoryEntry]
    total: int


@dataclass(frozen=True)
class Record:
    """A contact, company or deal a lead was linked to; `title` is None when it is gone."""

    kind: str  # "contact", "company" or "deal"
    id: int
    title: str | None


@dataclass(frozen=True)
class Phone:
    e164: str


@dataclass(frozen=True)
class CallNote:
    """What CallService logs about a call ("← missed, 0 s")."""

    answered: bool
    seconds: int


Value = str | bool | Decimal | datetime | DirectoryEntry | Record | Phone | CallNote | None
"""A stored old or new value read for people: an id or a code resolved to what it names, stored text
parsed to what it means; text that cannot be read so stays as stored (the history is the truth)."""


@dataclass(frozen=True)
class Change:
    at: datetime
    who: str | None  # the user's name; None: the system (intake, import, telephony)
    action: str
    field: str | None
    old: Value
    new: Value


@dataclass(frozen=True)
class HistoryLog:
    changes: Sequence[Change]
    total: int


_DIRECTORIES: dict[str, type[DirectoryEntry]] = {
    "status_code": LeadStatus,
    "source_code": Source,
    "junk_reason_code": JunkReason,
}
_RECORDS: dict[str, type[Contact] | type[Company] | type[Deal]] = {
    "contact_id": Contact,
    "company_id": Company,
    "deal_id": Deal,
}
_USERS = "assignee_id"
_MOMENTS = frozenset({"closed_at"})
_REMINDER_ACTIONS = frozenset({"planned", "snoozed", "deleted"})  # their values are due times
_REMINDER_FIELDS = frozenset(kind.value for kind in ActivityKind)
_CALL_NOTE = re.compile(r"[←→] (missed|answered), (\d{1,9}) s")

Lookups = dict[tuple[str, str], Value]


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
            return await _page(session, conditions, offset, limit)

    async def log_of_lead(self, lead_id: int, *, offset: int = 0, limit: int = 50) -> HistoryLog:
        """A page of a lead's change log as people read it: names instead of ids and codes, moments
        instead of the stored text (the UI puts them in the reader's language and time zone)."""
        conditions = [HistoryEntry.entity == "lead", HistoryEntry.entity_id == lead_id]
        async with self._ctx.reading() as session:
            page = await _page(session, conditions, offset, limit)
            found = await _look_up(session, page.entries)
        return HistoryLog([_read(entry, found) for entry in page.entries], page.total)


async def _page(
    session: AsyncSession, conditions: Sequence[ColumnElement[bool]], offset: int, limit: int
) -> HistoryPage:
    total = await session.scalar(select(func.count()).select_from(HistoryEntry).where(*conditions))
    rows = await session.scalars(
        select(HistoryEntry)
        .where(*conditions)
        .order_by(HistoryEntry.at, HistoryEntry.id)
        .offset(offset)
        .limit(limit)
    )
    return HistoryPage(entries=rows.all(), total=total or 0)


async def _look_up(session: AsyncSession, entries: Sequence[HistoryEntry]) -> Lookups:
    """What the users, directory codes and records named on this page are called, by (field, raw); the
    author of a change is looked up as an assignee is."""
    wanted: defaultdict[str, set[str]] = defaultdict(set)
    for entry in entries:
        if entry.user_id is not None:
            wanted[_USERS].add(str(entry.user_id))
        for raw in (entry.old, entry.new):
            if entry.field and raw is not None:
                wanted[entry.field].add(raw)
    found: Lookups = {}
    if users := _ids(wanted[_USERS]):
        for user_id, name in await session.execute(select(User.id, User.name).where(User.id.in_(users))):
            found[(_USERS, str(user_id))] = name
    for field, directory in _DIRECTORIES.items():
        if wanted[field]:
            query = select(directory).where(directory.code.in_(wanted[field]))
            for item in cast(Sequence[DirectoryEntry], (await session.scalars(query)).all()):
                found[(field, item.code)] = item
    for field, model in _RECORDS.items():
        if ids := _ids(wanted[field]):
            rows = (await session.scalars(select(model).where(model.id.in_(ids)))).all()
            for row in cast(Sequence[Contact | Company | Deal], rows):
                title = row.full_name if isinstance(row, Contact) else row.title
                found[(field, str(row.id))] = Record(_record_kind(field), row.id, title)
    return found


def _ids(raws: set[str]) -> list[int]:
    return [int(raw) for raw in raws if raw.isascii() and raw.isdigit() and int(raw) <= DB_INT_MAX]


def _record_kind(field: str) -> str:
    return field.removesuffix("_id")


def _read(entry: HistoryEntry, found: Lookups) -> Change:
    who = found.get((_USERS, str(entry.user_id))) if entry.user_id is not None else None
    return Change(
        at=entry.at,
        who=who if isinstance(who, str) else None,
        action=entry.action,
        field=entry.field,
        old=_value(entry, entry.old, found),
        new=_value(entry, entry.new, found),
    )


def _value(entry: HistoryEntry, raw: str | None, found: Lookups) -> Value:
    field = entry.field or ""
    if raw is None or (field, raw) in found:
        return found.get((field, raw or ""))
    if field in _RECORDS and _ids({raw}):
        return Record(_record_kind(field), int(raw), None)
    if field == "is_repeat":
        return raw == "True"
    if field == CommKind.PHONE:
        return Phone(raw)
    try:
        if field in _MOMENTS or (entry.action in _REMINDER_ACTIONS and field in _REMINDER_FIELDS):
            moment = datetime.fromisoformat(raw)
            return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
        if field == "amount":
            return Decimal(raw)
    except (ValueError, InvalidOperation):
        return raw
    if entry.action == "call" and (note := _CALL_NOTE.fullmatch(raw)):
        return CallNote(answered=note[1] == "answered", seconds=int(note[2]))
    return raw
