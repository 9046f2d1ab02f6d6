"""The lead lifecycle: create, take, assign, change status, edit, comment, junk, exclude, reopen."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import ActivityKind, CommKind, OwnerType, StatusSemantics
from db.models import Activity, Exclusion, Lead, User
from leadbot.actor import Actor
from leadbot.errors import (
    AlreadyTaken,
    FinalStatusNeedsAction,
    IdempotencyConflict,
    InvalidPhone,
    LeadNotClosed,
    NotFound,
    NothingToExclude,
    ReasonRequired,
    UnknownCode,
)
from leadbot.i18n_marker import N_
from leadbot.normalize import normalize_email, normalize_phone
from leadbot.permissions import Permission, require, require_exclusion
from leadbot.services import outbox
from leadbot.services.comm_lookup import count_hits, exclusions_of
from leadbot.services.comms import add_comms, recognised
from leadbot.services.context import ServiceContext
from leadbot.services.exclusions import holders_of
from leadbot.services.lead_input import (
    NEW_STATUS,
    CleanLead,
    LeadDraft,
    clean_comms,
    clean_draft,
    clean_text,
    fingerprint,
    new_lead_values,
    parse_amount,
    parse_currency,
)
from leadbot.services.lead_tx import LeadAction, note_first_action
from leadbot.services.matching import Match, find_matches
from leadbot.services.unit_of_work import UnitOfWork, unit_of_work

IN_PROCESS_STATUS = "IN_PROCESS"
CONVERTED_STATUS = "CONVERTED"
JUNK_STATUS = "JUNK"
SPAM_REASON = "SPAM"
EDITABLE_FIELDS = ("title", "name", "second_name", "last_name", "company_title", "post", "comment")


@dataclass(frozen=True)
class CreateOutcome:
    """`lead` is None only when the intake was excluded. `created` is False for a repeated external id."""

    lead: Lead | None
    created: bool
    excluded: bool = False
    matches: Sequence[Match] = field(default=())


@dataclass
class LeadEdit:
    """Fields to change; None leaves a field as it is, an empty string clears it."""

    title: str | None = None
    name: str | None = None
    second_name: str | None = None
    last_name: str | None = None
    company_title: str | None = None
    post: str | None = None
    comment: str | None = None
    amount: str | Decimal | None = None
    currency: str | None = None
    source_code: str | None = None
    add_phones: list[str] = field(default_factory=list)
    add_emails: list[str] = field(default_factory=list)


class LeadService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    # --- creation -------------------------------------------------------------------------------

    async def create(
        self,
        draft: LeadDraft,
        by: Actor | None = None,
        *,
        link_known_contact: bool = True,
        on_created: Callable[[AsyncSession, Lead], None] | None = None,
    ) -> CreateOutcome:
        """Create a lead from any intake path.

        Excluded phone/e-mail: nothing is created, the exclusion's hit counter goes up.
        Same (source, external_id) as an earlier lead: a repeat of its request returns that lead and
        writes nothing; other data under that key is refused (IdempotencyConflict).
        Known phone/e-mail: the lead is created, marked repeat and, when exactly one contact
        matches, linked to it (the contact gains the lead's new phones/e-mails).
        `on_created` adds what belongs with the new lead in the same transaction (the call that brought it).
        """
        clean = clean_draft(draft, self._ctx.settings.default_region)
        external_id = clean.texts["external_id"]
        request = fingerprint(draft, clean) if external_id else None
        try:
            async with self._uow(by) as tx:
                if external_id:
                    earlier = await self._by_external_id(tx.session, draft.source_code, external_id)
                    if earlier is not None:
                        self._require_same_request(earlier, request)
                        return CreateOutcome(lead=earlier, created=False)
                return await self._create_new(tx, draft, clean, request, link_known_contact, on_created)
        except IntegrityError:
            if not external_id:
                raise
            async with self._ctx.reading() as session:  # a concurrent retry won the unique key
                earlier = await self._by_external_id(session, draft.source_code, external_id)
                if earlier is None:
                    raise
            self._require_same_request(earlier, request)
            return CreateOutcome(lead=earlier, created=False)

    async def _create_new(
        self,
        tx: UnitOfWork,
        draft: LeadDraft,
        clean: CleanLead,
        request: str | None,
        link: bool,
        on_created: Callable[[AsyncSession, Lead], None] | None,
    ) -> CreateOutcome:
        """Refused by an exclusion (counted), or created, matched and announced."""
        values = recognised(clean.comms)
        hits = await exclusions_of(tx.session, values)
        if hits:
            await count_hits(tx.session, hits, tx.now())
            return CreateOutcome(lead=None, created=False, excluded=True)
        lead = await self._insert(tx, draft, clean, request)
        if on_created is not None:
            on_created(tx.session, lead)
        matches = await find_matches(
            tx.session, values, company_title=lead.company_title, exclude_lead_id=lead.id
        )
        await self._mark_known(tx, lead, matches, link)
        outbox.announce_lead(tx.session, lead.id, await self._alert_chats(tx.session, lead, tx.by))
        return CreateOutcome(lead=lead, created=True, matches=matches)

    async def create_by_hand(self, draft: LeadDraft, by: Actor) -> CreateOutcome:
        """A lead typed in the chat (/new): whoever makes it is its assignee."""
        draft.assignee_id = by.id
        return await self.create(draft, by)

    async def _alert_chats(self, session: AsyncSession, lead: Lead, by: Actor | None) -> set[int | None]:
        """The team group, and the assignee's private chat unless the assignee made the lead: whoever
        creates a lead in the bot gets its card there, in the dialog (sent and kept live by the handler)."""
        chats: set[int | None] = {self._ctx.settings.alert_chat_id}
        if lead.assignee_id is not None and (by is None or by.id != lead.assignee_id):
            chats.add(await session.scalar(select(User.telegram_id).where(User.id == lead.assignee_id)))
        return chats

    async def preview(self, draft: LeadDraft) -> list[Match]:
        """Validate a draft and say whom it matches, writing nothing (the /new dialog's last step)."""
        clean = clean_draft(draft, self._ctx.settings.default_region)
        async with self._ctx.reading() as session:
            return await find_matches(
                session, recognised(clean.comms), company_title=clean.texts["company_title"]
            )

    def check_field(self, name: str, value: str) -> str:
        """One field of a lead typed by a user, validated and normalised; raises a DomainError."""
        if name == "phone":
            phone = normalize_phone(value, self._ctx.settings.default_region)
            if phone is None:
                raise InvalidPhone(value=value[:64])
            return phone
        if name == "email":
            return normalize_email(value)
        if name == "amount":
            return str(parse_amount(value))
        return clean_text(name, value) or ""

    async def _by_external_id(self, session: AsyncSession, source: str, external_id: str) -> Lead | None:
        return await session.scalar(
            select(Lead).where(Lead.source_code == source, Lead.external_id == external_id)
        )

    @staticmethod
    def _require_same_request(lead: Lead, request: str | None) -> None:
        """A retry repeats the request that made the lead; leads from before fingerprints (and imported
        ones) have none, and any repeat of them counts as the same request."""
        if lead.request_fingerprint is not None and lead.request_fingerprint != request:
            raise IdempotencyConflict(external_id=lead.external_id, id=lead.id)

    async def _insert(self, tx: UnitOfWork, draft: LeadDraft, clean: CleanLead, request: str | None) -> Lead:
        await self._require_known_codes(tx, draft)
        values = new_lead_values(
            draft,
            clean,
            creator_id=tx.by.id if tx.by else None,
            now=tx.now(),
            default_currency=self._ctx.settings.default_currency,
        )
        lead = await tx.leads.add(Lead(**values, request_fingerprint=request))
        add_comms(tx.session, OwnerType.LEAD, lead.id, clean.comms)
        await tx.session.flush()
        return lead

    @staticmethod
    async def _require_known_codes(tx: UnitOfWork, draft: LeadDraft) -> None:
        """The source, an open status and an active assignee, as the draft names them."""
        if await tx.sources.find(draft.source_code) is None:
            raise UnknownCode(what=N_("source"), value=draft.source_code)
        status_code = draft.status_code or NEW_STATUS
        status = await tx.statuses.find(status_code)
        if status is None or status.semantics is not StatusSemantics.PROCESS:
            raise UnknownCode(what=N_("status"), value=status_code)
        if draft.assignee_id is not None:
            assignee = await tx.users.find(draft.assignee_id)
            if assignee is None or not assignee.active:
                raise NotFound(what=N_("User"), id=draft.assignee_id)

    async def _mark_known(self, tx: UnitOfWork, lead: Lead, matches: Sequence[Match], link: bool) -> None:
        known = [m for m in matches if m.type in (OwnerType.CONTACT, OwnerType.COMPANY) and m.shared]
        if not known:
            return
        lead.is_repeat = True
        contacts = [m for m in known if m.type is OwnerType.CONTACT]
        if link and len(contacts) == 1:
            tx.leads.change(lead, LeadAction.LINKED, contact_id=contacts[0].id)
            await tx.contacts.give_comms(contacts[0].id, await tx.leads.comms(lead.id), LeadAction.EDITED)
        await tx.session.flush()

    # --- work on a lead -------------------------------------------------------------------------

    async def take(self, lead_id: int, by: Actor) -> Lead:
        """Assign the lead to `by`. Someone else holds it: AlreadyTaken (two takes at once: one wins).

        No card-version check: taking a lead that is still free is safe whatever else changed."""
        async with self._uow(by) as tx:
            lead = await tx.leads.work_on(lead_id, LeadAction.TAKEN)
            await tx.leads.require_open(lead)
            if lead.assignee_id == by.id:
                return lead
            if lead.assignee_id is not None:
                raise AlreadyTaken(owner=await tx.users.name_of(lead.assignee_id))
            require(by, Permission.TAKE, lead)
            tx.leads.change(lead, LeadAction.TAKEN, assignee_id=by.id)
            lead.taken_at = lead.taken_at or tx.now()
            return lead

    async def assign(
        self, lead_id: int, to_user_id: int, by: Actor, *, expected_version: int | None = None
    ) -> Lead:
        async with self._uow(by) as tx:
            lead = await tx.leads.work_on(lead_id, LeadAction.ASSIGNED, expected_version=expected_version)
            require(by, Permission.ASSIGN, lead)
            await tx.leads.require_open(lead)
            target = await tx.users.find(to_user_id)
            if target is None or not target.active:
                raise NotFound(what=N_("User"), id=to_user_id)
            if lead.assignee_id != target.id:
                tx.leads.change(lead, LeadAction.ASSIGNED, assignee_id=target.id)
                lead.taken_at = lead.taken_at or tx.now()
                if target.id != by.id:
                    outbox.announce_lead(tx.session, lead.id, {target.telegram_id})
            return lead

    async def change_status(
        self, lead_id: int, status_code: str, by: Actor, *, expected_version: int | None = None
    ) -> Lead:
        """Move an open lead between process statuses; closing goes through convert or junk."""
        async with self._uow(by) as tx:
            lead = await tx.leads.work_on(lead_id, LeadAction.STATUS, expected_version=expected_version)
            require(by, Permission.WORK, lead)
            await tx.leads.require_open(lead)
            target = await tx.statuses.find(status_code)
            if target is None or not target.active:
                raise UnknownCode(what=N_("status"), value=status_code)
            if target.semantics is not StatusSemantics.PROCESS:
                raise FinalStatusNeedsAction()
            tx.leads.change(lead, LeadAction.STATUS, status_code=target.code)
            return lead

    async def edit(
        self, lead_id: int, changes: LeadEdit, by: Actor, *, expected_version: int | None = None
    ) -> Lead:
        async with self._uow(by) as tx:
            lead = await tx.leads.work_on(lead_id, LeadAction.EDITED, expected_version=expected_version)
            require(by, Permission.WORK, lead)
            await tx.leads.require_open(lead)
            values = await self._edited_values(tx, changes)
            region = self._ctx.settings.default_region
            new_comms = clean_comms(changes.add_phones, changes.add_emails, region)
            tx.leads.change(lead, LeadAction.EDITED, **values)
            await tx.leads.give_comms(lead.id, new_comms, LeadAction.EDITED)
            return lead

    @staticmethod
    async def _edited_values(tx: UnitOfWork, changes: LeadEdit) -> dict[str, object]:
        """The validated fields of an edit that change something (None: left as it is)."""
        values: dict[str, object] = {
            name: clean_text(name, getattr(changes, name))
            for name in EDITABLE_FIELDS
            if getattr(changes, name) is not None
        }
        if changes.amount is not None:
            values["amount"] = parse_amount(changes.amount)
        if changes.currency is not None:
            values["currency"] = parse_currency(changes.currency)
        if changes.source_code is not None:
            if await tx.sources.find(changes.source_code) is None:
                raise UnknownCode(what=N_("source"), value=changes.source_code)
            values["source_code"] = changes.source_code
        return values

    async def comment(self, lead_id: int, text: str, by: Actor) -> Activity:
        note = clean_text("comment", text)
        if note is None:
            raise ReasonRequired()
        async with self._uow(by) as tx:
            lead = await tx.leads.get(lead_id)
            require(by, Permission.WORK, lead)
            now = tx.now()
            activity = Activity(
                kind=ActivityKind.COMMENT,
                lead_id=lead.id,
                created_by_id=by.id,
                responsible_id=by.id,
                note=note,
                done=True,
                done_at=now,
                created_at=now,
            )
            tx.session.add(activity)
            await note_first_action(tx.session, lead, now)
            tx.leads.log(lead.id, LeadAction.COMMENTED, field="comment", new=note)
        return activity

    async def junk(
        self, lead_id: int, reason_code: str | None, by: Actor, *, expected_version: int | None = None
    ) -> Lead:
        """Close the lead as junk; a reason from the directory is required."""
        if not reason_code:
            raise ReasonRequired()
        async with self._uow(by) as tx:
            lead = await tx.leads.work_on(lead_id, LeadAction.JUNKED, expected_version=expected_version)
            require(by, Permission.WORK, lead)
            await tx.leads.require_open(lead)
            reason = await tx.junk_reasons.find(reason_code)
            if reason is None or not reason.active:
                raise UnknownCode(what=N_("junk reason"), value=reason_code)
            self._close(tx, lead, LeadAction.JUNKED, JUNK_STATUS, junk_reason_code=reason.code)
            return lead

    async def exclude(
        self, lead_id: int, by: Actor, *, expected_version: int | None = None
    ) -> list[Exclusion]:
        """Put the lead's phones/e-mails on the exclusion list and close it as spam (not when that blocks
        another manager's client: see `require_exclusion`)."""
        async with self._uow(by) as tx:
            lead = await tx.leads.work_on(lead_id, LeadAction.EXCLUDED, expected_version=expected_version)
            require(by, Permission.WORK, lead)
            await tx.leads.require_open(lead)
            values = recognised(await tx.leads.comms(lead.id))
            if not values:
                raise NothingToExclude()
            require_exclusion(by, await holders_of(tx.session, values, other_than_lead=lead.id))
            known = {(e.kind, e.normalized) for e in await exclusions_of(tx.session, values)}
            added: list[Exclusion] = []
            for kind, value in dict.fromkeys(values):
                if (kind, value) not in known:
                    added.append(await self._exclude_value(tx, lead, kind, value))
            self._close(tx, lead, LeadAction.EXCLUDED, JUNK_STATUS, junk_reason_code=SPAM_REASON)
            return added

    async def reopen(self, lead_id: int, by: Actor, *, expected_version: int | None = None) -> Lead:
        async with self._uow(by) as tx:
            lead = await tx.leads.work_on(lead_id, LeadAction.REOPENED, expected_version=expected_version)
            require(by, Permission.REOPEN, lead)
            if await tx.leads.is_open(lead):
                raise LeadNotClosed()
            target = IN_PROCESS_STATUS if lead.assignee_id else NEW_STATUS
            tx.leads.change(
                lead, LeadAction.REOPENED, status_code=target, junk_reason_code=None, closed_at=None
            )
            return lead

    @staticmethod
    async def _exclude_value(tx: UnitOfWork, lead: Lead, kind: CommKind, value: str) -> Exclusion:
        """A phone/e-mail of the lead on the exclusion list, logged there and on the lead."""
        by_id = tx.by.id if tx.by else None
        exclusion = Exclusion(
            kind=kind, normalized=value, reason=f"lead #{lead.id}", created_by_id=by_id, created_at=tx.now()
        )
        await tx.exclusions.add(exclusion, field=kind, new=value)
        tx.leads.log(lead.id, LeadAction.EXCLUDED, field=kind, new=value)
        return exclusion

    # --- helpers --------------------------------------------------------------------------------

    def _uow(self, by: Actor | None) -> AbstractAsyncContextManager[UnitOfWork]:
        return unit_of_work(self._ctx, by)

    @staticmethod
    def _close(tx: UnitOfWork, lead: Lead, action: LeadAction, status: str, **values: object) -> None:
        tx.leads.change(lead, action, status_code=status, closed_at=tx.now(), **values)
