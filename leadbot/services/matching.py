"""Who do we already know? Contacts, companies and open leads sharing a phone or e-mail, ranked."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import CommKind, OwnerType, StatusSemantics
from db.models import Company, Contact, Lead, LeadStatus
from leadbot.services.comm_lookup import owners_of

TYPE_WEIGHT = {OwnerType.CONTACT: 3, OwnerType.COMPANY: 2, OwnerType.LEAD: 1}
Shared = dict[tuple[OwnerType, int], set[str]]  # owner → the values it shares with the searched ones


class MatchVia(StrEnum):
    COMMUNICATION = "communication"
    COMPANY_TITLE = "company_title"


@dataclass(frozen=True)
class Match:
    type: OwnerType
    id: int
    name: str
    shared: tuple[str, ...] = field(default=())
    via: MatchVia = MatchVia.COMMUNICATION

    @property
    def score(self) -> int:
        return 10 * len(self.shared) + TYPE_WEIGHT[self.type]


def company_title_key(title: str) -> str:
    """Lower-cased company name without quotes, legal forms and extra spaces: "ООО «Ромашка»" → "ромашка"."""
    text = title.lower()
    for char in "\"'«»“”„().,":
        text = text.replace(char, " ")
    legal_forms = {"ооо", "оао", "зао", "пао", "ао", "ип", "llc", "ltd", "inc", "gmbh", "co", "corp"}
    return " ".join(word for word in text.split() if word not in legal_forms)


async def find_matches(
    session: AsyncSession,
    values: Iterable[tuple[CommKind, str]],
    *,
    company_title: str | None = None,
    exclude_lead_id: int | None = None,
    limit: int = 10,
) -> list[Match]:
    """Indexed lookup on (kind, normalized). Leads count only while open; best matches first."""
    shared: Shared = defaultdict(set)
    for owner_type, owner_id, _kind, normalized in await owners_of(session, list(values)):
        shared[(owner_type, owner_id)].add(normalized)
    matches = [
        *await _contacts(session, shared),
        *await _companies(session, shared, company_title, limit),
        *await _open_leads(session, shared, exclude_lead_id),
    ]
    matches.sort(key=lambda m: (-m.score, m.type, m.id))
    return matches[:limit]


def _ids(shared: Shared, owner_type: OwnerType) -> list[int]:
    return [owner_id for (kind, owner_id) in shared if kind is owner_type]


async def _contacts(session: AsyncSession, shared: Shared) -> list[Match]:
    if not (ids := _ids(shared, OwnerType.CONTACT)):
        return []
    return [
        Match(
            OwnerType.CONTACT, contact.id, contact.full_name, _values(shared, OwnerType.CONTACT, contact.id)
        )
        for contact in await session.scalars(select(Contact).where(Contact.id.in_(ids)))
    ]


async def _companies(session: AsyncSession, shared: Shared, title: str | None, limit: int) -> list[Match]:
    """Companies sharing a value, and those of the same name (`company_title_key`)."""
    ids = set(_ids(shared, OwnerType.COMPANY))
    title_key = company_title_key(title) if title else ""
    company_filter: list[ColumnElement[bool]] = [Company.id.in_(ids)] if ids else []
    if title_key:
        company_filter.append(Company.title_key == title_key)
    if not company_filter:
        return []
    matches = []
    for company in await session.scalars(select(Company).where(or_(*company_filter)).limit(limit)):
        via = MatchVia.COMMUNICATION if (OwnerType.COMPANY, company.id) in shared else MatchVia.COMPANY_TITLE
        values = _values(shared, OwnerType.COMPANY, company.id)
        matches.append(Match(OwnerType.COMPANY, company.id, company.title, values, via))
    return matches


async def _open_leads(session: AsyncSession, shared: Shared, exclude_lead_id: int | None) -> list[Match]:
    if not (ids := [i for i in _ids(shared, OwnerType.LEAD) if i != exclude_lead_id]):
        return []
    open_leads = await session.scalars(
        select(Lead)
        .join(LeadStatus, LeadStatus.code == Lead.status_code)
        .where(Lead.id.in_(ids), LeadStatus.semantics == StatusSemantics.PROCESS)
    )
    return [
        Match(OwnerType.LEAD, lead.id, lead.display_title, _values(shared, OwnerType.LEAD, lead.id))
        for lead in open_leads
    ]


def _values(shared: Shared, owner_type: OwnerType, owner_id: int) -> tuple[str, ...]:
    return tuple(sorted(shared.get((owner_type, owner_id), ())))
