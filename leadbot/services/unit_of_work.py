"""The one way data is changed: a unit of work over one transaction, with small repositories that write
the change log themselves. `async with unit_of_work(ctx, by) as tx:` opens it; `tx.leads.change(lead,
LeadAction.STATUS, status_code=...)` sets the fields and logs each change (who, when, field, old → new);
`tx.leads.add(lead)` logs the creation. Directory entries (`tx.statuses`, `tx.sources`,
`tx.junk_reasons`) are logged the same way, keyed by their code (`entity_code`) instead of an id. A
lead loaded with `tx.leads.work_on` is stamped and its cards refreshed when the block ends, and a
concurrent change that won first turns into AlreadyTaken or StaleLead, never an overwrite. The block
commits when it ends and rolls back on an error."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any, Generic, TypeVar

from sqlalchemy import Table, insert, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.exc import StaleDataError

from db.enums import OwnerType
from db.models import (
    Communication,
    Company,
    Contact,
    Deal,
    Exclusion,
    HistoryEntry,
    JunkReason,
    Lead,
    LeadStatus,
    Source,
    User,
)
from leadbot.actor import Actor
from leadbot.errors import AlreadyTaken, StaleLead
from leadbot.services import history, outbox
from leadbot.services.comms import CommLike, comms_of, copy_new_comms
from leadbot.services.context import ServiceContext
from leadbot.services.lead_tx import LeadAction, is_open, load_lead, require_open, user_name

HISTORY: Table = HistoryEntry.__table__  # type: ignore[assignment]
LEADS: Table = Lead.__table__  # type: ignore[assignment]
M = TypeVar("M", Lead, Contact, Company, Deal, User, Exclusion)
E = TypeVar("E", LeadStatus, Source, JunkReason)
R = TypeVar("R", Lead, Contact, Company, Deal, User, Exclusion, LeadStatus, Source, JunkReason)
K = TypeVar("K", int, str)


class HistoryWriter:
    """The change log of one unit of work: rows by its author (None: the system), stamped by its clock."""

    def __init__(self, session: AsyncSession, ctx: ServiceContext, by: Actor | None) -> None:
        self._session, self._ctx, self._by = session, ctx, by

    def write(
        self,
        entity: str,
        entity_id: int | str,
        action: str,
        *,
        field: str | None = None,
        old: Any = None,
        new: Any = None,
        by_system: bool = False,
        at: datetime | None = None,
    ) -> None:
        history.record(
            self._session,
            entity=entity,
            entity_id=entity_id,
            user_id=None if by_system or self._by is None else self._by.id,
            action=action,
            at=at or self._ctx.clock.now(),
            field=field,
            old=old,
            new=new,
        )

    def changes(
        self,
        entity: str,
        entity_id: int | str,
        action: str,
        changes: Mapping[str, tuple[Any, Any]],
        *,
        by_system: bool = False,
    ) -> None:
        """One row per changed field; fields whose old and new values are equal are skipped."""
        at = self._ctx.clock.now()
        for name, (old, new) in changes.items():
            if history.as_text(old) != history.as_text(new):
                self.write(
                    entity, entity_id, action, field=name, old=old, new=new, by_system=by_system, at=at
                )

    async def created_many(
        self, entity: str, ids: Sequence[int], *, field: str, new: Any, at: datetime
    ) -> None:
        """The creation of many rows at once (the import), in one executemany."""
        user_id = self._by.id if self._by else None
        rows = [
            {
                "entity": entity,
                "entity_id": entity_id,
                "user_id": user_id,
                "action": LeadAction.CREATED,
                "field": field,
                "new": history.as_text(new),
                "at": at,
            }
            for entity_id in ids
        ]
        if rows:
            await self._session.execute(insert(HISTORY), rows)


class _Logged(Generic[R, K]):
    """Rows of one entity, keyed by K, added and changed with their history written alongside."""

    entity = ""

    def __init__(self, tx: UnitOfWork, model: type[R]) -> None:
        self._tx = tx
        self._model: type[R] = model

    def _key(self, row: R) -> K:
        raise NotImplementedError

    async def add(self, row: R, *, field: str | None = None, new: Any = None) -> R:
        """Insert the row (an id is given to it) and log its creation."""
        self._tx.session.add(row)
        await self._tx.session.flush()
        self.log(self._key(row), LeadAction.CREATED, field=field, new=new)
        return row

    def change(self, row: R, action: str, **values: Any) -> None:
        """Set the fields and log each one that changed (old → new)."""
        changes = {name: (getattr(row, name), value) for name, value in values.items()}
        for name, value in values.items():
            setattr(row, name, value)
        self._tx.history.changes(self.entity, self._key(row), action, changes)

    def log(self, key: K, action: str, *, field: str | None = None, old: Any = None, new: Any = None) -> None:
        """A change that is not a field of the row (a phone added, a call, a comment)."""
        self._tx.history.write(self.entity, key, action, field=field, old=old, new=new)


class Repository(_Logged[M, int]):
    """Rows keyed by their integer id."""

    def _key(self, row: M) -> int:
        return row.id

    async def find(self, entity_id: int) -> M | None:
        return await self._tx.session.get(self._model, entity_id)


class PartyRepository(Repository[M]):
    """Leads, contacts and companies: what has phones and e-mails."""

    async def comms(self, owner_id: int) -> Sequence[Communication]:
        return await comms_of(self._tx.session, OwnerType(self.entity), owner_id)

    async def give_comms(self, owner_id: int, comms: Iterable[CommLike], action: str) -> list[Communication]:
        """The phones/e-mails among `comms` the owner does not have yet, added and each logged."""
        fresh = await copy_new_comms(self._tx.session, comms, OwnerType(self.entity), owner_id)
        for comm in fresh:
            self.log(owner_id, action, field=comm.kind, new=comm.normalized)
        return fresh


class ContactRepository(PartyRepository[Contact]):
    entity = "contact"


class CompanyRepository(PartyRepository[Company]):
    entity = "company"


class DealRepository(Repository[Deal]):
    entity = "deal"


class UserRepository(Repository[User]):
    entity = "user"

    async def name_of(self, user_id: int | None) -> str:
        return await user_name(self._tx.session, user_id)


class DirectoryRepository(_Logged[E, str]):
    """Entries of a directory (statuses, sources, junk reasons), by code; their history is keyed by it."""

    def _key(self, row: E) -> str:
        return row.code

    async def find(self, code: str) -> E | None:
        return await self._tx.session.get(self._model, code)

    async def in_order(self) -> Sequence[E]:
        """Every entry, active or not, by its sort value."""
        return (await self._tx.session.scalars(select(self._model).order_by(self._model.sort))).all()


class StatusRepository(DirectoryRepository[LeadStatus]):
    entity = "status"


class SourceRepository(DirectoryRepository[Source]):
    entity = "source"


class JunkReasonRepository(DirectoryRepository[JunkReason]):
    entity = "junk_reason"


class ExclusionRepository(Repository[Exclusion]):
    entity = "exclusion"

    async def remove(self, exclusion: Exclusion) -> None:
        self.log(exclusion.id, "deleted", field=exclusion.kind, old=exclusion.normalized)
        await self._tx.session.delete(exclusion)


class LeadRepository(PartyRepository[Lead]):
    entity = "lead"

    async def get(self, lead_id: int) -> Lead:
        """The lead; NotFound when there is none."""
        return await load_lead(self._tx.session, lead_id)

    async def work_on(self, lead_id: int, action: LeadAction, *, expected_version: int | None = None) -> Lead:
        """The lead, for a change a user asked for. `expected_version` is the version of the card the user
        saw (StaleLead if it moved on). When the unit of work ends, the lead is stamped (updated, first
        action) and its cards refreshed; a concurrent change that won meanwhile refuses the whole unit."""
        lead = await self.get(lead_id)
        if expected_version is not None and lead.version != expected_version:
            raise StaleLead()
        self._tx.worked.append((lead, action))
        self._tx.last_worked = (lead.id, action)
        return lead

    async def add_many(
        self, leads: list[dict[str, object]], *, field: str, new: Any, at: datetime
    ) -> list[int]:
        """Insert leads by their column values in one executemany (the import: a Core insert, past the ORM
        hooks) and log their creation; their ids, in order. Each has a unique (source, external id), which
        gives back its id (RETURNING would force SQLAlchemy to split the batch on SQLite to keep order)."""
        await self._tx.session.execute(insert(LEADS), leads)
        keys = [(lead["source_code"], lead["external_id"]) for lead in leads]
        stored = await self._tx.session.execute(
            select(Lead.id, Lead.source_code, Lead.external_id).where(
                Lead.external_id.in_([key[1] for key in keys])
            )
        )
        id_of = {(row.source_code, row.external_id): row.id for row in stored}
        ids = [id_of[key] for key in keys]
        await self._tx.history.created_many(self.entity, ids, field=field, new=new, at=at)
        return ids

    async def require_open(self, lead: Lead) -> None:
        """LeadClosed unless the lead is in a process status."""
        await require_open(self._tx.session, lead)

    async def is_open(self, lead: Lead) -> bool:
        return await is_open(self._tx.session, lead)

    def refresh_cards(self, lead_id: int, action: str) -> None:
        by = self._tx.by
        outbox.refresh_cards(self._tx.session, lead_id, actor_name=by.name if by else None, action=action)


class UnitOfWork:
    def __init__(self, session: AsyncSession, ctx: ServiceContext, by: Actor | None) -> None:
        self.session, self.ctx, self.by = session, ctx, by
        self.history = HistoryWriter(session, ctx, by)
        self.worked: list[tuple[Lead, LeadAction]] = []
        self.last_worked: tuple[int, LeadAction] | None = None  # what a lost race is about
        self.leads = LeadRepository(self, Lead)
        self.contacts = ContactRepository(self, Contact)
        self.companies = CompanyRepository(self, Company)
        self.deals = DealRepository(self, Deal)
        self.users = UserRepository(self, User)
        self.exclusions = ExclusionRepository(self, Exclusion)
        self.statuses = StatusRepository(self, LeadStatus)
        self.sources = SourceRepository(self, Source)
        self.junk_reasons = JunkReasonRepository(self, JunkReason)

    def now(self) -> datetime:
        return self.ctx.clock.now()

    def finish(self) -> None:
        """Stamp the leads worked on and queue the refresh of their cards."""
        for lead, action in self.worked:
            lead.updated_at = self.ctx.clock.now()
            lead.first_action_at = lead.first_action_at or lead.updated_at
            self.leads.refresh_cards(lead.id, action)


@asynccontextmanager
async def unit_of_work(ctx: ServiceContext, by: Actor | None) -> AsyncIterator[UnitOfWork]:
    """One transaction on behalf of `by` (None: the system: intake, import, telephony)."""
    tx: UnitOfWork | None = None
    try:
        async with ctx.transaction() as session:
            tx = UnitOfWork(session, ctx, by)
            yield tx
            tx.finish()
    except StaleDataError:
        if tx is None or tx.last_worked is None:
            raise
        await _refuse_stale(ctx, *tx.last_worked, by)


async def _refuse_stale(ctx: ServiceContext, lead_id: int, action: LeadAction, by: Actor | None) -> None:
    """A concurrent change of the lead won: a take lost to another taker is AlreadyTaken, else StaleLead."""
    async with ctx.reading() as session:
        lead = await load_lead(session, lead_id)
        if action is LeadAction.TAKEN and lead.assignee_id not in (None, by.id if by else None):
            raise AlreadyTaken(owner=await user_name(session, lead.assignee_id)) from None
    raise StaleLead() from None
