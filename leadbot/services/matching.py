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
    shared: dict[tuple[OwnerType, int], set[str]] = defaultdict(set)
    for owner_type, owner_id, _kind, normalized in await owners_of(session, list(values)):
        shared[(owner_type, owner_id)].add(normalized)

    matches: list[Match] = []
    contact_ids = [oid for (otype, oid) in shared if otype is OwnerType.CONTACT]
    if contact_ids:
        for contact in await session.scalars(select(Contact).where(Contact.id.in_(contact_ids))):
            key = (OwnerType.CONTACT, contact.id)
            matches.append(
                Match(OwnerType.CONTACT, contact.id, contact.full_name, tuple(sorted(shared[key])))
            )

    company_ids = {oid for (otype, oid) in shared if otype is OwnerType.COMPANY}
    title_key = company_title_key(company_title) if company_title else ""
    company_filter: list[ColumnElement[bool]] = [Company.id.in_(company_ids)] if company_ids else []
    if title_key:
        company_filter.append(Company.title_key == title_key)
    if company_filter:
        for company in await session.scalars(select(Company).where(or_(*company_filter)).limit(limit)):
            key = (OwnerType.COMPANY, company.id)
            via = MatchVia.COMMUNICATION if key in shared else MatchVia.COMPANY_TITLE
            matches.append(
                Match(OwnerType.COMPANY, company.id, company.title, tuple(sorted(shared[key])), via)
            )

    lead_ids = [oid for (otype, oid) in shared if otype is OwnerType.LEAD and oid != exclude_lead_id]
    if lead_ids:
        open_leads = await session.scalars(
            select(Lead)
            .join(LeadStatus, LeadStatus.code == Lead.status_code)
            .where(Lead.id.in_(lead_ids), LeadStatus.semantics == StatusSemantics.PROCESS)
        )
        for lead in open_leads:
            key = (OwnerType.LEAD, lead.id)
            matches.append(Match(OwnerType.LEAD, lead.id, lead.display_title, tuple(sorted(shared[key]))))

    matches.sort(key=lambda m: (-m.score, m.type, m.id))
    return matches[:limit]
