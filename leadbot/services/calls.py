"""Telephony events: who is calling? Unknown caller → a new lead; known → the call is logged on what it
matched and the responsible manager sees the caller's card at once; excluded → nothing, counted.

Every handled call is a call activity carrying the event's id (unique), also the call that made a lead:
calls keep their ids apart from the external ids of leads, which other intakes choose."""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import ActivityKind, CommKind, OwnerType, StatusSemantics
from db.models import Activity, Company, Contact, Lead, LeadStatus, User
from leadbot.errors import InvalidPhone
from leadbot.normalize import format_phone, normalize_phone, visible_text
from leadbot.services import outbox
from leadbot.services.comm_lookup import count_hits, exclusions_of
from leadbot.services.context import ServiceContext
from leadbot.services.lead_input import LeadDraft
from leadbot.services.leads import LeadService
from leadbot.services.matching import Match, find_matches
from leadbot.services.unit_of_work import UnitOfWork, unit_of_work
from leadbot.translations import translator

CALL, CALLBACK = "CALL", "CALLBACK"  # sources of the leads calls make
CALL_SOURCES = (CALL, CALLBACK)


class Direction(StrEnum):
    IN = "in"
    OUT = "out"


class CallStatus(StrEnum):
    MISSED = "missed"
    ANSWERED = "answered"


@dataclass(frozen=True)
class CallEvent:
    caller: str  # "from"
    callee: str  # "to"
    direction: Direction
    status: CallStatus
    duration: int = 0
    external_id: str | None = None

    @property
    def client_number(self) -> str:
        return self.caller if self.direction is Direction.IN else self.callee


@dataclass(frozen=True)
class CallOutcome:
    excluded: bool = False
    lead: Lead | None = None  # a new lead for an unknown number
    created: bool = False
    matched: Match | None = None  # what a known number belongs to
    repeated: bool = False  # this external_id was handled before


class CallService:
    def __init__(self, ctx: ServiceContext, leads: LeadService) -> None:
        self._ctx = ctx
        self._leads = leads

    async def handle(self, call: CallEvent) -> CallOutcome:
        call = replace(call, external_id=visible_text(call.external_id or "") or None)
        number = normalize_phone(call.client_number, self._ctx.settings.default_region)
        if number is None:
            raise InvalidPhone(value=call.client_number[:64])
        async with self._ctx.reading() as session:
            if call.external_id and await self._seen(session, call.external_id):
                return CallOutcome(repeated=True)
            excluded = await exclusions_of(session, [(CommKind.PHONE, number)])
            matches = [] if excluded else await find_matches(session, [(CommKind.PHONE, number)], limit=5)
        if excluded:
            async with self._ctx.transaction() as session:
                await count_hits(session, excluded, self._ctx.clock.now())
            return CallOutcome(excluded=True)
        if not matches:
            return await self._new_lead(call, number)
        return await self._log(call, matches[0])

    async def _seen(self, session: AsyncSession, external_id: str) -> bool:
        """A call is known by its logged activity. Leads that calls made before calls kept their ids apart
        carry the id themselves: they are told from API leads by having no request fingerprint."""
        found = await session.scalar(select(Activity.id).where(Activity.external_id == external_id))
        if found is not None:
            return True
        legacy = await session.scalar(
            select(Lead.id).where(
                Lead.source_code.in_(CALL_SOURCES),
                Lead.external_id == external_id,
                Lead.request_fingerprint.is_(None),
            )
        )
        return legacy is not None

    async def _new_lead(self, call: CallEvent, number: str) -> CallOutcome:
        missed = call.status is CallStatus.MISSED and call.direction is Direction.IN

        def log_the_call(session: AsyncSession, lead: Lead) -> None:
            now = self._ctx.clock.now()
            session.add(
                Activity(
                    kind=ActivityKind.CALL,
                    lead_id=lead.id,
                    note=_describe(call),
                    done=True,
                    done_at=now,
                    created_at=now,
                    external_id=call.external_id,
                )
            )

        source = CALLBACK if missed else CALL
        title = self._title(number, missed=missed)
        draft = LeadDraft(title=title, phones=[number], source_code=source, comment=_describe(call))
        try:
            created = await self._leads.create(draft, on_created=log_the_call)
        except IntegrityError:
            if not call.external_id:
                raise
            return CallOutcome(repeated=True)  # the same event raced in and made the lead
        if created.excluded:  # excluded meanwhile
            return CallOutcome(excluded=True)
        return CallOutcome(lead=created.lead, created=True)

    def _title(self, number: str, *, missed: bool) -> str:
        """A caller is known only by the number, so the number names the lead: "Missed call +7 916 …".

        Stored once, in the team's language (LOCALE), like any title an intake gives, so that cards,
        lists, nudges, searches and exports all show the same name."""
        _ = translator(self._ctx.settings.locale)
        title = _("Missed call {phone}") if missed else _("Call {phone}")
        return title.format(phone=format_phone(number))

    async def _log(self, call: CallEvent, match: Match) -> CallOutcome:
        """Log the call on the lead/contact it matched and show the responsible manager who is calling."""
        try:
            async with unit_of_work(self._ctx, None) as tx:
                lead_id, contact_id, responsible = await self._owner(tx.session, match)
                self._note_call(tx, call, lead_id, contact_id, responsible)
                chat_id = await tx.session.scalar(select(User.telegram_id).where(User.id == responsible))
                target = chat_id if chat_id is not None else self._ctx.settings.alert_chat_id
                if target is not None and call.direction is Direction.IN:
                    outbox.message(
                        tx.session,
                        outbox.OutboxKind.NOTICE,
                        target,
                        lead_id,
                        key="calling",
                        name=match.name,
                        party=match.type.value,
                        owner_id=match.id,
                    )
        except IntegrityError:  # the same external_id raced in
            return CallOutcome(repeated=True, matched=match)
        return CallOutcome(matched=match)

    @staticmethod
    def _note_call(
        tx: UnitOfWork, call: CallEvent, lead_id: int | None, contact_id: int | None, responsible: int | None
    ) -> None:
        """The call as a done activity, and on its lead's change log."""
        now = tx.now()
        tx.session.add(
            Activity(
                kind=ActivityKind.CALL,
                lead_id=lead_id,
                contact_id=contact_id,
                responsible_id=responsible,
                note=_describe(call),
                done=True,
                done_at=now,
                created_at=now,
                external_id=call.external_id,
            )
        )
        if lead_id is not None:
            tx.leads.log(lead_id, "call", field=call.direction.value, new=_describe(call))

    async def _owner(self, session: AsyncSession, match: Match) -> tuple[int | None, int | None, int | None]:
        """(lead, contact, responsible user) for a match: a contact's newest open lead if it has one."""
        if match.type is OwnerType.LEAD:
            lead = await session.get(Lead, match.id)
            return match.id, lead.contact_id if lead else None, lead.assignee_id if lead else None
        owner = Lead.contact_id if match.type is OwnerType.CONTACT else Lead.company_id
        open_lead = await session.scalar(
            select(Lead)
            .join(LeadStatus, LeadStatus.code == Lead.status_code)
            .where(owner == match.id, LeadStatus.semantics == StatusSemantics.PROCESS)
            .order_by(Lead.id.desc())
            .limit(1)
        )
        party: Contact | Company | None = (
            await session.get(Contact, match.id)
            if match.type is OwnerType.CONTACT
            else await session.get(Company, match.id)
        )
        responsible = (open_lead.assignee_id if open_lead else None) or (party.assignee_id if party else None)
        contact_id = match.id if match.type is OwnerType.CONTACT else None
        return (open_lead.id if open_lead else None), contact_id, responsible


def _describe(call: CallEvent) -> str:
    arrow = "→" if call.direction is Direction.OUT else "←"
    return f"{arrow} {call.status.value}, {call.duration} s"
