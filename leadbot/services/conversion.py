"""Link a lead to a known contact/company, and convert a lead into contact, company and deal."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

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
from leadbot.services.comms import recognised
from leadbot.services.context import ServiceContext
from leadbot.services.lead_input import clean_text
from leadbot.services.lead_tx import LeadAction, supervisors_of
from leadbot.services.leads import CONVERTED_STATUS
from leadbot.services.matching import company_title_key, find_matches
from leadbot.services.unit_of_work import CompanyRepository, ContactRepository, UnitOfWork, unit_of_work


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
        async with unit_of_work(self._ctx, by) as tx:
            lead = await tx.leads.work_on(lead_id, LeadAction.LINKED, expected_version=expected_version)
            require(by, Permission.WORK, lead)
            await tx.leads.require_open(lead)
            lead_comms = await tx.leads.comms(lead.id)
            links: dict[str, object] = {"is_repeat": True}
            for owner_type, owner_id in ((OwnerType.CONTACT, contact_id), (OwnerType.COMPANY, company_id)):
                if owner_id is None:
                    continue
                if await _party(tx, owner_type).find(owner_id) is None:
                    raise NotFound(what=_WHAT[owner_type], id=owner_id)
                links[f"{owner_type.value}_id"] = owner_id
                await _give_comms(tx, lead_comms, owner_type, owner_id)
            tx.leads.change(lead, LeadAction.LINKED, **links)
            return lead

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
        async with unit_of_work(self._ctx, by) as tx:
            lead = await tx.leads.work_on(lead_id, LeadAction.CONVERTED, expected_version=expected_version)
            await tx.leads.require_open(lead)
            require(by, Permission.CONVERT, lead, await supervisors_of(tx.session, lead))
            lead_comms = await tx.leads.comms(lead.id)
            contact = await _contact_for(tx, lead, request) if request.contact else None
            company = await _company_for(tx, lead, request) if request.company else None
            if contact is not None and company is not None and contact.company_id is None:
                contact.company_id = company.id
            holder = contact or company  # the contact keeps the phones/e-mails, or else the company
            if holder is not None:
                await _give_comms(tx, lead_comms, _owner_type(holder), holder.id)
            deal = await _deal_for(tx, lead, contact, company) if request.deal else None
            _close_converted(tx, lead, contact, company, deal)
            return Conversion(lead=lead, contact=contact, company=company, deal=deal)


_WHAT = {OwnerType.CONTACT: N_("Contact"), OwnerType.COMPANY: N_("Company")}


def _party(tx: UnitOfWork, owner_type: OwnerType) -> ContactRepository | CompanyRepository:
    return tx.contacts if owner_type is OwnerType.CONTACT else tx.companies


def _owner_type(party: Contact | Company) -> OwnerType:
    return OwnerType.CONTACT if isinstance(party, Contact) else OwnerType.COMPANY


async def _contact_for(tx: UnitOfWork, lead: Lead, request: ConvertRequest) -> Contact:
    """The lead's contact, or a new one named as the request or the lead says (a real name, not known)."""
    if lead.contact_id is not None and (existing := await tx.contacts.find(lead.contact_id)) is not None:
        return existing
    if request.contact_name is not None:
        name, second_name, last_name = clean_text("name", request.contact_name), None, None
    else:
        name, second_name, last_name = lead.name, lead.second_name, lead.last_name
    full_name = " ".join(part for part in (name, second_name, last_name) if part)
    if not is_real_name(full_name):
        raise NameRequired(value=full_name)
    await _refuse_duplicate(tx, lead, OwnerType.CONTACT)
    contact = Contact(
        name=name or full_name,
        second_name=second_name,
        last_name=last_name,
        post=lead.post,
        type=request.contact_type,
        **_made_from(tx, lead),
    )
    return await tx.contacts.add(contact, field="lead_id", new=lead.id)


async def _company_for(tx: UnitOfWork, lead: Lead, request: ConvertRequest) -> Company:
    """The lead's company, or a new one under the request's or the lead's company name (not known)."""
    if lead.company_id is not None and (existing := await tx.companies.find(lead.company_id)) is not None:
        return existing
    title = clean_text("company_title", request.company_title) or lead.company_title
    if not title or not company_title_key(title):
        raise NameRequired(value=title or "")
    await _refuse_duplicate(tx, lead, OwnerType.COMPANY, company_title=title)
    company = Company(title=title, title_key=company_title_key(title), **_made_from(tx, lead))
    return await tx.companies.add(company, field="lead_id", new=lead.id)


def _made_from(tx: UnitOfWork, lead: Lead) -> dict[str, Any]:
    """Who holds and who made a contact or company converted from the lead, and when."""
    by_id = tx.by.id if tx.by else None
    return {"assignee_id": lead.assignee_id or by_id, "created_by_id": by_id, "created_at": tx.now()}


async def _refuse_duplicate(
    tx: UnitOfWork, lead: Lead, owner_type: OwnerType, *, company_title: str | None = None
) -> None:
    """A known contact (company) with the lead's phone/e-mail (or name) refuses a new one."""
    values = recognised(await tx.leads.comms(lead.id))
    for match in await find_matches(tx.session, values, company_title=company_title):
        if match.type is owner_type and owner_type is OwnerType.CONTACT:
            raise DuplicateContact(id=match.id, name=match.name)
        if match.type is owner_type:
            raise DuplicateCompany(id=match.id, name=match.name)


async def _deal_for(tx: UnitOfWork, lead: Lead, contact: Contact | None, company: Company | None) -> Deal:
    deal = Deal(
        title=lead.display_title,
        amount=lead.amount,
        currency=lead.currency,
        contact_id=contact.id if contact else lead.contact_id,
        company_id=company.id if company else lead.company_id,
        lead_id=lead.id,
        assignee_id=lead.assignee_id or (tx.by.id if tx.by else None),
        created_at=tx.now(),
    )
    return await tx.deals.add(deal, field="lead_id", new=lead.id)


def _close_converted(
    tx: UnitOfWork, lead: Lead, contact: Contact | None, company: Company | None, deal: Deal | None
) -> None:
    """The lead closed as converted, pointing at what it became."""
    values: dict[str, object] = {"status_code": CONVERTED_STATUS, "closed_at": tx.now()}
    if contact:
        values["contact_id"] = contact.id
    if company:
        values["company_id"] = company.id
    if deal:
        values["deal_id"] = deal.id
    tx.leads.change(lead, LeadAction.CONVERTED, **values)


async def _give_comms(
    tx: UnitOfWork, lead_comms: Sequence[Communication], owner_type: OwnerType, owner_id: int
) -> None:
    """The contact or company gains the lead's phones/e-mails it did not have (each one logged)."""
    await _party(tx, owner_type).give_comms(owner_id, lead_comms, LeadAction.EDITED)
