"""The lead lifecycle: create, take, assign, change status, edit, comment, junk, exclude, reopen."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import ActivityKind, CommKind, OwnerType, StatusSemantics
from db.models import Activity, Exclusion, JunkReason, Lead, LeadStatus, Source, User
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
from leadbot.normalize import CommValue, normalize_email, normalize_phone
from leadbot.permissions import Permission, require, require_exclusion
from leadbot.services import history, outbox
from leadbot.services.comms import add_comms, comms_of, copy_new_comms, recognised
from leadbot.services.context import ServiceContext
from leadbot.services.exclusions import holders_of
from leadbot.services.lead_input import (
    LeadDraft,
    clean_comms,
    clean_draft,
    clean_text,
    fingerprint,
    parse_amount,
    parse_currency,
)
from leadbot.services.lead_tx import (
    LeadAction,
    change_lead,
    load_lead,
    note_first_action,
    require_open,
    status_of,
    user_name,
)
from leadbot.services.matching import Match, find_matches

NEW_STATUS = "NEW"
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


async def excluded_values(session: AsyncSession, values: Sequence[tuple[CommKind, str]]) -> list[Exclusion]:
    if not values:
        return []
    hits: list[Exclusion] = []
    for kind in {kind for kind, _ in values}:
        wanted = [value for k, value in values if k == kind]
        rows = await session.scalars(
            select(Exclusion).where(Exclusion.kind == kind, Exclusion.normalized.in_(wanted))
        )
        hits.extend(rows)
    return hits


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
        now = self._ctx.clock.now()
        try:
            async with self._ctx.transaction() as session:
                if external_id:
                    earlier = await self._by_external_id(session, draft.source_code, external_id)
                    if earlier is not None:
                        self._require_same_request(earlier, request)
                        return CreateOutcome(lead=earlier, created=False)
                values = recognised(clean.comms)
                hits = await excluded_values(session, values)
                if hits:
                    await session.execute(
                        update(Exclusion)
                        .where(Exclusion.id.in_([h.id for h in hits]))
                        .values(hits=Exclusion.hits + 1, last_hit_at=now)
                    )
                    return CreateOutcome(lead=None, created=False, excluded=True)
                lead = await self._insert(
                    session, draft, clean.texts, clean.comms, clean.amount, clean.currency, by, request
                )
                if on_created is not None:
                    on_created(session, lead)
                matches = await find_matches(
                    session, values, company_title=lead.company_title, exclude_lead_id=lead.id
                )
                await self._mark_known(session, lead, matches, by, link_known_contact)
                outbox.announce_lead(session, lead.id, await self._alert_chats(session, lead, by))
                return CreateOutcome(lead=lead, created=True, matches=matches)
        except IntegrityError:
            if not external_id:
                raise
            async with self._ctx.reading() as session:  # a concurrent retry won the unique key
                earlier = await self._by_external_id(session, draft.source_code, external_id)
                if earlier is None:
                    raise
            self._require_same_request(earlier, request)
            return CreateOutcome(lead=earlier, created=False)

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

    async def _insert(
        self,
        session: AsyncSession,
        draft: LeadDraft,
        texts: dict[str, str | None],
        comms: list[CommValue],
        amount: Decimal | None,
        currency: str | None,
        by: Actor | None,
        request: str | None,
    ) -> Lead:
        if await session.get(Source, draft.source_code) is None:
            raise UnknownCode(what=N_("source"), value=draft.source_code)
        status_code = draft.status_code or NEW_STATUS
        status = await session.get(LeadStatus, status_code)
        if status is None or status.semantics is not StatusSemantics.PROCESS:
            raise UnknownCode(what=N_("status"), value=status_code)
        if draft.assignee_id is not None:
            assignee = await session.get(User, draft.assignee_id)
            if assignee is None or not assignee.active:
                raise NotFound(what=N_("User"), id=draft.assignee_id)
        now = self._ctx.clock.now()
        lead = Lead(
            **texts,
            source_code=draft.source_code,
            status_code=status_code,
            assignee_id=draft.assignee_id,
            creator_id=by.id if by else None,
            amount=amount,
            currency=currency or (self._ctx.settings.default_currency if amount is not None else None),
            created_at=now,
            updated_at=now,
            taken_at=now if draft.assignee_id is not None else None,
            request_fingerprint=request,
        )
        session.add(lead)
        await session.flush()
        add_comms(session, OwnerType.LEAD, lead.id, comms)
        await session.flush()
        history.record(
            session,
            entity="lead",
            entity_id=lead.id,
            user_id=by.id if by else None,
            action=LeadAction.CREATED,
            at=now,
        )
        return lead

    async def _mark_known(
        self, session: AsyncSession, lead: Lead, matches: Sequence[Match], by: Actor | None, link: bool
    ) -> None:
        known = [m for m in matches if m.type in (OwnerType.CONTACT, OwnerType.COMPANY) and m.shared]
        if not known:
            return
        lead.is_repeat = True
        contacts = [m for m in known if m.type is OwnerType.CONTACT]
        if link and len(contacts) == 1:
            lead.contact_id = contacts[0].id
            await copy_new_comms(
                session, await comms_of(session, OwnerType.LEAD, lead.id), OwnerType.CONTACT, contacts[0].id
            )
            history.record(
                session,
                entity="lead",
                entity_id=lead.id,
                user_id=by.id if by else None,
                action=LeadAction.LINKED,
                field="contact_id",
                new=contacts[0].id,
                at=self._ctx.clock.now(),
            )
        await session.flush()

    # --- work on a lead -------------------------------------------------------------------------

    async def take(self, lead_id: int, by: Actor) -> Lead:
        """Assign the lead to `by`. Someone else holds it: AlreadyTaken (two takes at once: one wins).

        No card-version check: taking a lead that is still free is safe whatever else changed."""

        async def apply(session: AsyncSession, lead: Lead) -> Lead:
            await require_open(session, lead)
            if lead.assignee_id == by.id:
                return lead
            if lead.assignee_id is not None:
                raise AlreadyTaken(owner=await user_name(session, lead.assignee_id))
            require(by, Permission.TAKE, lead)
            self._set(session, lead, by, LeadAction.TAKEN, assignee_id=by.id)
            lead.taken_at = lead.taken_at or self._ctx.clock.now()
            return lead

        return await change_lead(self._ctx, lead_id, by, LeadAction.TAKEN, apply)

    async def assign(
        self, lead_id: int, to_user_id: int, by: Actor, *, expected_version: int | None = None
    ) -> Lead:
        async def apply(session: AsyncSession, lead: Lead) -> Lead:
            require(by, Permission.ASSIGN, lead)
            await require_open(session, lead)
            target = await session.get(User, to_user_id)
            if target is None or not target.active:
                raise NotFound(what=N_("User"), id=to_user_id)
            if lead.assignee_id != target.id:
                self._set(session, lead, by, LeadAction.ASSIGNED, assignee_id=target.id)
                lead.taken_at = lead.taken_at or self._ctx.clock.now()
                if target.id != by.id:
                    outbox.announce_lead(session, lead.id, {target.telegram_id})
            return lead

        return await change_lead(
            self._ctx, lead_id, by, LeadAction.ASSIGNED, apply, expected_version=expected_version
        )

    async def change_status(
        self, lead_id: int, status_code: str, by: Actor, *, expected_version: int | None = None
    ) -> Lead:
        """Move an open lead between process statuses; closing goes through convert or junk."""

        async def apply(session: AsyncSession, lead: Lead) -> Lead:
            require(by, Permission.WORK, lead)
            await require_open(session, lead)
            target = await session.get(LeadStatus, status_code)
            if target is None or not target.active:
                raise UnknownCode(what=N_("status"), value=status_code)
            if target.semantics is not StatusSemantics.PROCESS:
                raise FinalStatusNeedsAction()
            self._set(session, lead, by, LeadAction.STATUS, status_code=target.code)
            return lead

        return await change_lead(
            self._ctx, lead_id, by, LeadAction.STATUS, apply, expected_version=expected_version
        )

    async def edit(
        self, lead_id: int, changes: LeadEdit, by: Actor, *, expected_version: int | None = None
    ) -> Lead:
        region = self._ctx.settings.default_region

        async def apply(session: AsyncSession, lead: Lead) -> Lead:
            require(by, Permission.WORK, lead)
            await require_open(session, lead)
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
                if await session.get(Source, changes.source_code) is None:
                    raise UnknownCode(what=N_("source"), value=changes.source_code)
                values["source_code"] = changes.source_code
            new_comms = clean_comms(changes.add_phones, changes.add_emails, region)
            self._set(session, lead, by, LeadAction.EDITED, **values)
            fresh = await copy_new_comms(session, new_comms, OwnerType.LEAD, lead.id)
            for comm in fresh:
                history.record(
                    session,
                    entity="lead",
                    entity_id=lead.id,
                    user_id=by.id,
                    action=LeadAction.EDITED,
                    field=comm.kind,
                    new=comm.normalized,
                    at=self._ctx.clock.now(),
                )
            return lead

        return await change_lead(
            self._ctx, lead_id, by, LeadAction.EDITED, apply, expected_version=expected_version
        )

    async def comment(self, lead_id: int, text: str, by: Actor) -> Activity:
        note = clean_text("comment", text)
        if note is None:
            raise ReasonRequired()
        async with self._ctx.transaction() as session:
            lead = await load_lead(session, lead_id)
            require(by, Permission.WORK, lead)
            now = self._ctx.clock.now()
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
            session.add(activity)
            await note_first_action(session, lead, now)
            history.record(
                session,
                entity="lead",
                entity_id=lead.id,
                user_id=by.id,
                action=LeadAction.COMMENTED,
                field="comment",
                new=note,
                at=now,
            )
        return activity

    async def junk(
        self, lead_id: int, reason_code: str | None, by: Actor, *, expected_version: int | None = None
    ) -> Lead:
        """Close the lead as junk; a reason from the directory is required."""
        if not reason_code:
            raise ReasonRequired()

        async def apply(session: AsyncSession, lead: Lead) -> Lead:
            require(by, Permission.WORK, lead)
            await require_open(session, lead)
            reason = await session.get(JunkReason, reason_code)
            if reason is None or not reason.active:
                raise UnknownCode(what=N_("junk reason"), value=reason_code)
            self._close(session, lead, by, LeadAction.JUNKED, JUNK_STATUS, junk_reason_code=reason.code)
            return lead

        return await change_lead(
            self._ctx, lead_id, by, LeadAction.JUNKED, apply, expected_version=expected_version
        )

    async def exclude(
        self, lead_id: int, by: Actor, *, expected_version: int | None = None
    ) -> list[Exclusion]:
        """Put the lead's phones/e-mails on the exclusion list and close it as spam (not when that blocks
        another manager's client: see `require_exclusion`)."""

        async def apply(session: AsyncSession, lead: Lead) -> list[Exclusion]:
            require(by, Permission.WORK, lead)
            await require_open(session, lead)
            values = recognised(await comms_of(session, OwnerType.LEAD, lead.id))
            if not values:
                raise NothingToExclude()
            require_exclusion(by, await holders_of(session, values, other_than_lead=lead.id))
            known = {(e.kind, e.normalized) for e in await excluded_values(session, values)}
            added = [
                Exclusion(
                    kind=kind,
                    normalized=value,
                    reason=f"lead #{lead.id}",
                    created_by_id=by.id,
                    created_at=self._ctx.clock.now(),
                )
                for kind, value in dict.fromkeys(values)
                if (kind, value) not in known
            ]
            session.add_all(added)
            for item in added:
                history.record(
                    session,
                    entity="lead",
                    entity_id=lead.id,
                    user_id=by.id,
                    action=LeadAction.EXCLUDED,
                    field=item.kind,
                    new=item.normalized,
                    at=self._ctx.clock.now(),
                )
            self._close(session, lead, by, LeadAction.EXCLUDED, JUNK_STATUS, junk_reason_code=SPAM_REASON)
            return added

        return await change_lead(
            self._ctx, lead_id, by, LeadAction.EXCLUDED, apply, expected_version=expected_version
        )

    async def reopen(self, lead_id: int, by: Actor, *, expected_version: int | None = None) -> Lead:
        async def apply(session: AsyncSession, lead: Lead) -> Lead:
            require(by, Permission.REOPEN, lead)
            if (await status_of(session, lead.status_code)).semantics is StatusSemantics.PROCESS:
                raise LeadNotClosed()
            target = IN_PROCESS_STATUS if lead.assignee_id else NEW_STATUS
            self._set(
                session,
                lead,
                by,
                LeadAction.REOPENED,
                status_code=target,
                junk_reason_code=None,
                closed_at=None,
            )
            return lead

        return await change_lead(
            self._ctx, lead_id, by, LeadAction.REOPENED, apply, expected_version=expected_version
        )

    # --- helpers --------------------------------------------------------------------------------

    def _set(
        self, session: AsyncSession, lead: Lead, by: Actor, action: LeadAction, **values: object
    ) -> None:
        """Change fields of the lead and log each change (old → new) in the same transaction."""
        changes = {name: (getattr(lead, name), value) for name, value in values.items()}
        for name, value in values.items():
            setattr(lead, name, value)
        history.record_changes(
            session,
            entity="lead",
            entity_id=lead.id,
            user_id=by.id,
            action=action,
            at=self._ctx.clock.now(),
            changes=changes,
        )

    def _close(
        self, session: AsyncSession, lead: Lead, by: Actor, action: LeadAction, status: str, **values: object
    ) -> None:
        self._set(session, lead, by, action, status_code=status, closed_at=self._ctx.clock.now(), **values)
