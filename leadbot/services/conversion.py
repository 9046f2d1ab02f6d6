"""Link a lead to a known contact/company, and convert a lead into contact, company and deal."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import ContactType, OwnerType
from db.models import Communication, Company, Contact, Deal, Lead
from leadbot.actor import Actor
from leadbot.errors import (
    DuplicateCompany,
    DuplicateContact,
    NameRequired,
    NotFound,
    NothingToConvert,
)
from leadbot.i18n_marker import N_
from leadbot.names import is_real_name
from leadbot.permissions import Permission, require
from leadbot.services import history
from leadbot.services.comms import comms_of, copy_new_comms, recognised
from leadbot.services.context import ServiceContext
from leadbot.services.lead_input import clean_text
from leadbot.services.lead_tx import LeadAction, change_lead, require_open, supervisors_of
from leadbot.services.leads import CONVERTED_STATUS
from leadbot.services.matching import company_title_key, find_matches


@dataclass(frozen=True)
class ConvertRequest:
    contact: bool = False
    company: bool = False
    deal: bool = False
    contact_type: ContactType = ContactType.CLIENT
    contact_name: str | None = None  # asked for when the lead has no real name
    company_title: str | None = None


@dataclass(frozen=True)
class Conversion:
    lead: Lead
    contact: Contact | None
    company: Company | None
    deal: Deal | None


class ConversionService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    async def link(
        self,
        lead_id: int,
        by: Actor,
        *,
        contact_id: int | None = None,
        company_id: int | None = None,
        expected_version: int | None = None,
    ) -> Lead:
        """Link the lead to an existing contact or company: it becomes a repeat lead and the contact
        (or company) gains the lead's phones/e-mails it did not have, so the next call is recognised."""

        async def apply(session: AsyncSession, lead: Lead) -> Lead:
            require(by, Permission.WORK, lead)
            await require_open(session, lead)
            lead_comms = await comms_of(session, OwnerType.LEAD, lead.id)
            changes: dict[str, tuple[object, object]] = {"is_repeat": (lead.is_repeat, True)}
            for owner_type, owner_id, model in (
                (OwnerType.CONTACT, contact_id, Contact),
                (OwnerType.COMPANY, company_id, Company),
            ):
                if owner_id is None:
                    continue
                if await session.get(model, owner_id) is None:
                    raise NotFound(what=N_("Contact") if model is Contact else N_("Company"), id=owner_id)
                attribute = f"{owner_type.value}_id"
                changes[attribute] = (getattr(lead, attribute), owner_id)
                setattr(lead, attribute, owner_id)
                await self._give_comms(session, lead_comms, owner_type, owner_id, by)
            lead.is_repeat = True
            history.record_changes(
                session,
                entity="lead",
                entity_id=lead.id,
                user_id=by.id,
                action=LeadAction.LINKED,
                at=self._ctx.clock.now(),
                changes=changes,
            )
            return lead

        return await change_lead(
            self._ctx, lead_id, by, LeadAction.LINKED, apply, expected_version=expected_version
        )

    async def convert(
        self, lead_id: int, request: ConvertRequest, by: Actor, *, expected_version: int | None = None
    ) -> Conversion:
        """Turn the lead into a contact, a company, a deal or any combination, and close it as converted.

        A lead already linked to a contact/company reuses it. A new contact needs a real name; a new
        contact or company that would duplicate a known one (same phone/e-mail, same company name) is
        refused with a pointer to it.
        """
        if not (request.contact or request.company or request.deal):
            raise NothingToConvert()

        async def apply(session: AsyncSession, lead: Lead) -> Conversion:
            await require_open(session, lead)
            require(by, Permission.CONVERT, lead, await supervisors_of(session, lead))
            lead_comms = await comms_of(session, OwnerType.LEAD, lead.id)
            now = self._ctx.clock.now()
            contact = await self._contact_for(session, lead, request, by) if request.contact else None
            company = await self._company_for(session, lead, request, by) if request.company else None
            if contact is not None and company is not None and contact.company_id is None:
                contact.company_id = company.id
            holder = (
                (OwnerType.CONTACT, contact.id)
                if contact
                else (OwnerType.COMPANY, company.id)
                if company
                else None
            )
            if holder is not None:
                await self._give_comms(session, lead_comms, holder[0], holder[1], by)
            deal = None
            if request.deal:
                deal = Deal(
                    title=lead.display_title,
                    amount=lead.amount,
                    currency=lead.currency,
                    contact_id=contact.id if contact else lead.contact_id,
                    company_id=company.id if company else lead.company_id,
                    lead_id=lead.id,
                    assignee_id=lead.assignee_id or by.id,
                    created_at=now,
                )
                session.add(deal)
                await session.flush()
                history.record(
                    session,
                    entity="deal",
                    entity_id=deal.id,
                    user_id=by.id,
                    action=LeadAction.CREATED,
                    at=now,
                    field="lead_id",
                    new=lead.id,
                )
            values: dict[str, object] = {"status_code": CONVERTED_STATUS, "closed_at": now}
            if contact:
                values["contact_id"] = contact.id
            if company:
                values["company_id"] = company.id
            if deal:
                values["deal_id"] = deal.id
            changes = {name: (getattr(lead, name), value) for name, value in values.items()}
            for name, value in values.items():
                setattr(lead, name, value)
            history.record_changes(
                session,
                entity="lead",
                entity_id=lead.id,
                user_id=by.id,
                action=LeadAction.CONVERTED,
                at=now,
                changes=changes,
            )
            return Conversion(lead=lead, contact=contact, company=company, deal=deal)

        return await change_lead(
            self._ctx, lead_id, by, LeadAction.CONVERTED, apply, expected_version=expected_version
        )

    async def _contact_for(
        self, session: AsyncSession, lead: Lead, request: ConvertRequest, by: Actor
    ) -> Contact:
        if lead.contact_id is not None:
            existing = await session.get(Contact, lead.contact_id)
            if existing is not None:
                return existing
        if request.contact_name is not None:
            name, second_name, last_name = clean_text("name", request.contact_name), None, None
        else:
            name, second_name, last_name = lead.name, lead.second_name, lead.last_name
        full_name = " ".join(part for part in (name, second_name, last_name) if part)
        if not is_real_name(full_name):
            raise NameRequired(value=full_name)
        values = recognised(await comms_of(session, OwnerType.LEAD, lead.id))
        for match in await find_matches(session, values):
            if match.type is OwnerType.CONTACT:
                raise DuplicateContact(id=match.id, name=match.name)
        contact = Contact(
            name=name or full_name,
            second_name=second_name,
            last_name=last_name,
            post=lead.post,
            type=request.contact_type,
            assignee_id=lead.assignee_id or by.id,
            created_by_id=by.id,
            created_at=self._ctx.clock.now(),
        )
        session.add(contact)
        await session.flush()
        history.record(
            session,
            entity="contact",
            entity_id=contact.id,
            user_id=by.id,
            action=LeadAction.CREATED,
            at=self._ctx.clock.now(),
            field="lead_id",
            new=lead.id,
        )
        return contact

    async def _company_for(
        self, session: AsyncSession, lead: Lead, request: ConvertRequest, by: Actor
    ) -> Company:
        if lead.company_id is not None:
            existing = await session.get(Company, lead.company_id)
            if existing is not None:
                return existing
        title = clean_text("company_title", request.company_title) or lead.company_title
        if not title or not company_title_key(title):
            raise NameRequired(value=title or "")
        values = recognised(await comms_of(session, OwnerType.LEAD, lead.id))
        for match in await find_matches(session, values, company_title=title):
            if match.type is OwnerType.COMPANY:
                raise DuplicateCompany(id=match.id, name=match.name)
        company = Company(
            title=title,
            title_key=company_title_key(title),
            assignee_id=lead.assignee_id or by.id,
            created_by_id=by.id,
            created_at=self._ctx.clock.now(),
        )
        session.add(company)
        await session.flush()
        history.record(
            session,
            entity="company",
            entity_id=company.id,
            user_id=by.id,
            action=LeadAction.CREATED,
            at=self._ctx.clock.now(),
            field="lead_id",
            new=lead.id,
        )
        return company

    async def _give_comms(
        self,
        session: AsyncSession,
        lead_comms: Sequence[Communication],
        owner_type: OwnerType,
        owner_id: int,
        by: Actor,
    ) -> None:
        for comm in await copy_new_comms(session, lead_comms, owner_type, owner_id):
            history.record(
                session,
                entity=owner_type.value,
                entity_id=owner_id,
                user_id=by.id,
                action=LeadAction.EDITED,
                field=comm.kind,
                new=comm.normalized,
                at=self._ctx.clock.now(),
            )
