"""Read side for the UI: lead cards, search, the pipeline and personal lists. No writes here."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from functools import cache
from typing import Any

from sqlalchemy import Select, String, bindparam, exists, func, literal, or_, select
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from db.enums import CommKind, OwnerType, StatusSemantics
from db.models import (
    Activity,
    Communication,
    Company,
    Contact,
    Deal,
    JunkReason,
    Lead,
    LeadStatus,
    Source,
    User,
)
from db.types import DB_INT_MAX
from leadbot.errors import InvalidEmail, NotFound
from leadbot.i18n_marker import N_
from leadbot.normalize import looks_like_email, normalize_email, normalize_phone
from leadbot.services.comms import recognised
from leadbot.services.context import ServiceContext
from leadbot.services.lead_input import currency_for
from leadbot.services.lead_search import (
    count_matches,
    escape_like,
    matching_ids,
    sqlite_phrase,
    text_condition,
)
from leadbot.services.matching import Match, company_title_key, find_matches

PAGE_SIZE = 10


@dataclass(frozen=True)
class KnownClient:
    """What we already know about someone a lead matches: "Ivan Petrov, 2 deals, last lead 3 weeks ago"."""

    match: Match
    deals: int
    last_lead_at: datetime | None


@dataclass(frozen=True)
class LeadCard:
    lead: Lead
    status: LeadStatus
    source: Source
    assignee: User | None
    creator: User | None
    junk_reason: JunkReason | None
    phones: Sequence[Communication]
    emails: Sequence[Communication]
    known: Sequence[KnownClient]
    contact: Contact | None
    company: Company | None
    deal: Deal | None
    next_activity: Activity | None
    next_responsible: str | None

    @property
    def is_open(self) -> bool:
        return self.status.semantics is StatusSemantics.PROCESS

    @property
    def link_candidates(self) -> list[PartyRow]:
        """Known contacts and companies sharing a phone/e-mail: offered first by the Link button."""
        return [
            PartyRow(k.match.type, k.match.id, k.match.name)
            for k in self.known
            if k.match.type is not OwnerType.LEAD
        ]


@dataclass(frozen=True)
class LeadRow:
    id: int
    title: str
    status_code: str
    amount: Decimal | None
    currency: str | None
    created_at: datetime


@dataclass(frozen=True)
class Page:
    rows: Sequence[LeadRow]
    total: int
    page: int
    pages: int = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "pages", max(1, -(-self.total // PAGE_SIZE)))


@dataclass(frozen=True)
class PipelineRow:
    status: LeadStatus
    count: int
    amounts: dict[str, Decimal]  # the potential sum per currency: currencies are never added together


@dataclass(frozen=True)
class PartyRow:
    type: OwnerType
    id: int
    name: str


class LeadQueries:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx
        self._dialect = make_url(ctx.settings.database_url).get_backend_name()

    async def card(self, lead_id: int) -> LeadCard:
        """Two statements when nobody else shares the lead's phones, e-mails or company name: the lead with
        all it points to, then its phones and e-mails with whoever shares them. Known clients cost more."""
        async with self._ctx.reading() as session:
            found = (await session.execute(_card_query(), {"card_lead": lead_id})).first()
            if found is None:
                raise NotFound(what=N_("Lead"), id=lead_id)
            (
                lead,
                status,
                source,
                assignee,
                creator,
                junk_reason,
                contact,
                company,
                deal,
                next_activity,
                name,
            ) = found
            comms, shared = await self._comms_shared(session, lead)
            matches = (
                await find_matches(
                    session,
                    recognised(comms),
                    company_title=lead.company_title,
                    exclude_lead_id=lead.id,
                    limit=5,
                )
                if shared
                else []
            )
            return LeadCard(
                lead=lead,
                status=status,
                source=source,
                assignee=assignee,
                creator=creator,
                junk_reason=junk_reason,
                phones=[c for c in comms if c.kind is CommKind.PHONE],
                emails=[c for c in comms if c.kind is CommKind.EMAIL],
                known=[await self._known(session, m, lead.id) for m in matches],
                contact=contact,
                company=company,
                deal=deal,
                next_activity=next_activity,
                next_responsible=_responsible(next_activity, name) if next_activity else None,
            )

    @staticmethod
    async def _comms_shared(session: AsyncSession, lead: Lead) -> tuple[list[Communication], bool]:
        """The lead's phones and e-mails, and whether anything else may match it (`find_matches`): another
        owner of one of its values, or a company of its company's name. One statement."""
        title_key = company_title_key(lead.company_title) if lead.company_title else None
        rows = await session.execute(_comms_query(), {"card_lead": lead.id, "title_key": title_key or None})
        comms: dict[int, Communication] = {}
        shared = False
        for comm, held_elsewhere, named in rows:
            if comm is not None:
                comms[comm.id] = comm
            shared = shared or bool(held_elsewhere) or bool(named)
        return list(comms.values()), shared

    async def _known(self, session: AsyncSession, match: Match, lead_id: int) -> KnownClient:
        if match.type is OwnerType.LEAD:
            return KnownClient(match, 0, None)
        owner = Deal.contact_id if match.type is OwnerType.CONTACT else Deal.company_id
        lead_owner = Lead.contact_id if match.type is OwnerType.CONTACT else Lead.company_id
        deals = await session.scalar(select(func.count()).select_from(Deal).where(owner == match.id)) or 0
        last = await session.scalar(
            select(func.max(Lead.created_at)).where(lead_owner == match.id, Lead.id != lead_id)
        )
        if last is not None and last.tzinfo is None:  # aggregates bypass the column type on SQLite
            last = datetime.fromisoformat(str(last)).replace(tzinfo=self._ctx.clock.now().tzinfo)
        return KnownClient(match, deals, last)

    async def find(self, text: str, page: int = 0) -> Page:
        """Leads by name, company, title, phone in any format, or e-mail; newest first."""
        query = text.strip()[:100]
        conditions = [self._has_comm(kind, value) for kind, value in self._comm_values(query)]
        if not conditions and query:
            dialect = self._dialect
            if query.isascii() and query.isdigit() and int(query) <= DB_INT_MAX:
                conditions.append(Lead.id == int(query))
            elif (phrase := sqlite_phrase(query, dialect)) is not None:
                return await self._indexed_page(phrase, page)
            conditions.append(text_condition(query, dialect))
        if not conditions:
            return Page([], 0, 0)
        return await self._page(or_(*conditions), page, Lead.id.desc())

    async def _indexed_page(self, phrase: str, page: int) -> Page:
        """A page of the leads SQLite's search index finds, counted and paged in the index itself."""
        async with self._ctx.reading() as session:
            total = await count_matches(session, phrase)
            page = max(0, min(page, max(0, (total - 1) // PAGE_SIZE)))
            ids = await matching_ids(session, phrase, page * PAGE_SIZE, PAGE_SIZE)
            leads = await session.scalars(select(Lead).where(Lead.id.in_(ids)).order_by(Lead.id.desc()))
            return Page([self._row(lead) for lead in leads], total, page)

    def _comm_values(self, query: str) -> list[tuple[CommKind, str]]:
        """The search text read as a phone or an e-mail, if it is one."""
        values: list[tuple[CommKind, str]] = []
        phone = normalize_phone(query, self._ctx.settings.default_region)
        if phone is not None:
            values.append((CommKind.PHONE, phone))
        if looks_like_email(query):
            with suppress(InvalidEmail):
                values.append((CommKind.EMAIL, normalize_email(query)))
        return values

    def _has_comm(self, kind: CommKind, value: str):  # type: ignore[no-untyped-def]
        return Lead.id.in_(
            select(Communication.owner_id).where(
                Communication.owner_type == OwnerType.LEAD,
                Communication.kind == kind,
                Communication.normalized == value,
            )
        )

    async def rows(self, lead_ids: Sequence[int]) -> list[LeadRow]:
        async with self._ctx.reading() as session:
            leads = await session.scalars(select(Lead).where(Lead.id.in_(lead_ids)).order_by(Lead.id))
            return [self._row(lead) for lead in leads]

    @staticmethod
    def _row(lead: Lead) -> LeadRow:
        return LeadRow(
            lead.id, lead.display_title, lead.status_code, lead.amount, lead.currency, lead.created_at
        )

    async def in_status(self, status_code: str, page: int = 0) -> Page:
        return await self._page(Lead.status_code == status_code, page, Lead.id.desc())

    async def open_of(self, user_id: int, page: int = 0) -> Page:
        """A manager's open leads, oldest first (the one waiting longest is the most urgent)."""
        open_codes = select(LeadStatus.code).where(LeadStatus.semantics == StatusSemantics.PROCESS)
        return await self._page(
            (Lead.assignee_id == user_id) & Lead.status_code.in_(open_codes), page, Lead.created_at.asc()
        )

    async def _page(self, condition, page: int, order) -> Page:  # type: ignore[no-untyped-def]
        async with self._ctx.reading() as session:
            total = await session.scalar(select(func.count()).select_from(Lead).where(condition)) or 0
            page = max(0, min(page, max(0, (total - 1) // PAGE_SIZE)))
            leads = await session.scalars(
                select(Lead).where(condition).order_by(order).offset(page * PAGE_SIZE).limit(PAGE_SIZE)
            )
            rows = [self._row(lead) for lead in leads]
        return Page(rows, total, page)

    async def pipeline(self) -> list[PipelineRow]:
        """Count and potential amount per status and currency, in directory order (aggregated in SQL).
        An amount without a currency is in DEFAULT_CURRENCY."""
        default = self._ctx.settings.default_currency
        counts: dict[str, int] = defaultdict(int)
        amounts: dict[str, dict[str, Decimal]] = defaultdict(dict)
        async with self._ctx.reading() as session:
            rows = await session.execute(
                select(Lead.status_code, Lead.currency, func.count(), func.sum(Lead.amount)).group_by(
                    Lead.status_code, Lead.currency
                )
            )
            for code, currency, count, amount in rows:
                counts[code] += count
                if amount is not None:
                    key = currency_for(Decimal(amount), currency, default)
                    amounts[code][key] = amounts[code].get(key, Decimal(0)) + Decimal(amount)
            statuses = await session.scalars(
                select(LeadStatus).where(LeadStatus.active.is_(True)).order_by(LeadStatus.sort)
            )
            return [PipelineRow(status, counts[status.code], amounts[status.code]) for status in statuses]

    async def parties(self, text: str, limit: int = 8) -> list[PartyRow]:
        """Contacts and companies by name, phone or e-mail: the choices of the Link button."""
        query = text.strip()[:100]
        if not query:
            return []
        async with self._ctx.reading() as session:
            values = self._comm_values(query)
            found = [
                PartyRow(m.type, m.id, m.name)
                for m in await find_matches(session, values, limit=limit)
                if m.type is not OwnerType.LEAD
            ]
            if values:
                return found
            pattern = f"%{escape_like(query.lower())}%"
            contacts = await session.scalars(
                select(Contact)
                .where(
                    or_(
                        func.lower(Contact.name).like(pattern, escape="\\"),
                        func.lower(Contact.last_name).like(pattern, escape="\\"),
                    )
                )
                .limit(limit)
            )
            found += [PartyRow(OwnerType.CONTACT, c.id, c.full_name) for c in contacts]
            companies = await session.scalars(
                select(Company).where(func.lower(Company.title).like(pattern, escape="\\")).limit(limit)
            )
            found += [PartyRow(OwnerType.COMPANY, c.id, c.title) for c in companies]
            return found[:limit]


@cache  # built once: building it costs more than running it
def _card_query() -> Select[tuple[Any, ...]]:
    """The lead `card_lead`, its status, source, people, junk reason, contact, company, deal and next activity
    (with its responsible's name): one row."""
    assignee, creator, responsible = aliased(User), aliased(User), aliased(User)
    next_id = (
        select(Activity.id)
        .where(Activity.lead_id == Lead.id, Activity.done.is_(False), Activity.due_at.is_not(None))
        .order_by(Activity.due_at)
        .limit(1)
        .correlate(Lead)
        .scalar_subquery()
    )
    return (
        select(Lead, LeadStatus, Source, assignee, creator, JunkReason, Contact, Company, Deal, Activity)
        .add_columns(responsible.name)
        .join(LeadStatus, LeadStatus.code == Lead.status_code)
        .join(Source, Source.code == Lead.source_code)
        .outerjoin(assignee, assignee.id == Lead.assignee_id)
        .outerjoin(creator, creator.id == Lead.creator_id)
        .outerjoin(JunkReason, JunkReason.code == Lead.junk_reason_code)
        .outerjoin(Contact, Contact.id == Lead.contact_id)
        .outerjoin(Company, Company.id == Lead.company_id)
        .outerjoin(Deal, Deal.id == Lead.deal_id)
        .outerjoin(Activity, Activity.id == next_id)
        .outerjoin(responsible, responsible.id == Activity.responsible_id)
        .where(Lead.id == bindparam("card_lead"))
    )


@cache
def _comms_query() -> Select[tuple[Any, ...]]:
    """The phones and e-mails of the lead `card_lead`, each with whether anyone else holds the same value,
    and whether a company is named `title_key`; one row per value (a row even for a lead without any)."""
    mine, other = aliased(Communication), aliased(Communication)
    one = select(literal(1).label("one")).subquery()
    held_elsewhere = exists().where(
        other.kind == mine.kind, other.normalized == mine.normalized, other.id != mine.id
    )
    same_name = exists().where(Company.title_key == bindparam("title_key", type_=String))
    return (
        select(mine, held_elsewhere.label("held_elsewhere"), same_name.label("same_name"))
        .select_from(one)
        .outerjoin(mine, (mine.owner_type == OwnerType.LEAD) & (mine.owner_id == bindparam("card_lead")))
        .order_by(mine.id)
    )


def _responsible(activity: Activity, name: str | None) -> str:
    """As `user_name` says it: "" for nobody, "#id" for a user who is gone."""
    if activity.responsible_id is None:
        return ""
    return name or f"#{activity.responsible_id}"
