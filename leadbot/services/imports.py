"""Importing leads from a table, as Bitrix24 does it: duplicates (same phone or e-mail as a known lead or
contact) are skipped, merged or allowed. The intake reads the table (`leadbot.intake.table_import`) and
hands over drafts, each with its line in the file, or the problem that makes that row no lead.

Rows are processed in chunks, one transaction each, with bulk look-ups (exclusions, earlier imports,
matches): every row gets the same validation, normalisation, exclusion check and matching as any
other intake. Re-importing a file creates nothing new: each row carries an external id (its own
column, or a hash of its cells). Imported leads are not announced in the chat: they are history.
A dry run only reads, a chunk at a time, so it never holds a write lock (on SQLite one would stall every
other writer for the whole run): what it would have written is remembered for the chunks after it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import NamedTuple

from sqlalchemy import Table as SqlTable
from sqlalchemy import insert, select

from db.enums import CommKind, CommValueType, OwnerType
from db.models import Communication, Lead
from db.statistics import refresh_statistics
from leadbot.actor import Actor
from leadbot.errors import DomainError
from leadbot.normalize import CommValue
from leadbot.permissions import Permission, require
from leadbot.services.comm_lookup import count_hits_by_value, exclusions_of, owners_of
from leadbot.services.comms import add_comms, comms_of, recognised
from leadbot.services.context import ServiceContext
from leadbot.services.directory_lookup import DirectoryLookup
from leadbot.services.lead_input import CleanLead, LeadDraft, clean_draft, new_lead_values
from leadbot.services.lead_tx import LeadAction
from leadbot.services.unit_of_work import UnitOfWork, unit_of_work

CHUNK = 1000
IMPORT_SOURCE = "IMPORT"
_NEW = "new"  # an owner created earlier in the same chunk: ("new", its index among the chunk's new leads)
_PLANNED = "planned"  # in a dry run, a lead an earlier chunk would have created: ("planned", its number)
_MERGE_INTO = (OwnerType.LEAD, _PLANNED)  # owners a row merges into when no lead of its own chunk matches
COMMUNICATIONS: SqlTable = Communication.__table__  # type: ignore[assignment]
Owners = dict[tuple[CommKind, str], list[tuple[str, int]]]


class DuplicatePolicy(StrEnum):
    SKIP = "skip"  # leave the existing lead/contact as it is
    MERGE = "merge"  # fill its empty fields and add the new phones/e-mails
    ALLOW = "allow"  # create a repeat lead anyway


class Skipped(NamedTuple):
    """A row left out as a duplicate: of a known lead or contact, or (None) of an earlier row of the file."""

    line: int
    duplicate_of: tuple[OwnerType, int] | None


class Rejected(NamedTuple):
    """A row that cannot become a lead; the reason is rendered in the reader's language."""

    line: int
    reason: DomainError
    cells: list[str]


@dataclass
class ImportReport:
    created: int = 0
    repeat: int = 0
    merged: int = 0
    skipped: list[Skipped] = field(default_factory=list)  # in file order
    excluded: int = 0
    already: int = 0  # imported before (same external id)
    rejected: list[Rejected] = field(default_factory=list)  # in file order
    unused_columns: list[str] = field(default_factory=list)  # headers no field reads

    @property
    def total(self) -> int:
        return (
            self.created + self.merged + len(self.skipped) + self.excluded + self.already + len(self.rejected)
        )


@dataclass(frozen=True)
class DraftRow:
    """A row of a table as the intake read it: its line in the file, its cells, and its draft or the
    problem that makes it no lead."""

    line: int
    cells: list[str]
    draft: LeadDraft | DomainError


@dataclass
class _Planned:
    """What a dry run would have written so far, for its later chunks to find as a real run finds the rows
    its earlier chunks wrote: the keys of the leads it would create, and their phones/e-mails (and
    those a merge would add to a lead)."""

    keys: set[tuple[str, str | None]] = field(default_factory=set)
    owners: Owners = field(default_factory=lambda: defaultdict(list))


@dataclass
class _Row:
    line: int
    cells: list[str]
    draft: LeadDraft
    clean: CleanLead


@dataclass
class _Chunk:
    """What one chunk knows while it places its rows: keys imported before, excluded values (with the
    hits this chunk adds), who owns each phone/e-mail, and the leads it creates (column values, comms)."""

    now: datetime
    earlier: set[tuple[str, str | None]]
    excluded: dict[tuple[CommKind, str], int]
    owners: Owners
    fresh: list[dict[str, object]] = field(default_factory=list)
    fresh_comms: list[list[CommValue]] = field(default_factory=list)


class ImportService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    @staticmethod
    def require_allowed(by: Actor | None) -> None:
        """`by` is None for the command line (the operator of the machine); in the bot, only
        supervisors and admins import."""
        if by is not None:
            require(by, Permission.IMPORT)

    async def directories(self) -> DirectoryLookup:
        """Statuses, sources and users as a table may name them."""
        async with self._ctx.reading() as session:
            return await DirectoryLookup.load(session)

    async def run(
        self,
        rows: Iterable[DraftRow],
        *,
        by: Actor | None = None,
        duplicates: DuplicatePolicy = DuplicatePolicy.SKIP,
        dry_run: bool = False,
        unused_columns: Iterable[str] = (),
        progress: Callable[[int], None] | None = None,
    ) -> ImportReport:
        """Import the drafts, a chunk at a time; `unused_columns` go into the report as they are."""
        self.require_allowed(by)
        report = ImportReport(unused_columns=list(unused_columns))
        planned = _Planned() if dry_run else None
        chunk: list[_Row] = []
        for row in rows:
            if (valid := self._valid(row, report)) is not None:
                chunk.append(valid)
            if len(chunk) >= CHUNK:
                await self._chunk(chunk, duplicates, report, by, planned)
                chunk = []
                if progress:
                    progress(report.total)
        await self._chunk(chunk, duplicates, report, by, planned)
        if planned is None and report.created:
            async with self._ctx.transaction() as session:
                await refresh_statistics(session)  # a big import changes what the planner should choose
        if progress:
            progress(report.total)
        return report

    def _valid(self, row: DraftRow, report: ImportReport) -> _Row | None:
        """The row validated as any intake validates a lead, or None: rejected, with the reason."""
        draft = row.draft
        if not isinstance(draft, DomainError):
            try:
                return _Row(row.line, row.cells, draft, clean_draft(draft, self._ctx.settings.default_region))
            except DomainError as error:
                draft = error
        report.rejected.append(Rejected(row.line, draft, row.cells))
        return None

    async def _chunk(
        self,
        rows: list[_Row],
        policy: DuplicatePolicy,
        report: ImportReport,
        by: Actor | None,
        planned: _Planned | None,
    ) -> None:
        """One chunk, in one transaction; in a dry run (`planned`), a read-only one."""
        if not rows:
            return
        if planned is not None:
            async with self._ctx.reading() as session:
                await self._apply(UnitOfWork(session, self._ctx, by), rows, policy, report, planned)
            return
        async with unit_of_work(self._ctx, by) as tx:
            await self._apply(tx, rows, policy, report, None)

    async def _apply(
        self,
        tx: UnitOfWork,
        rows: list[_Row],
        policy: DuplicatePolicy,
        report: ImportReport,
        planned: _Planned | None,
    ) -> None:
        chunk = await self._look_up(tx, rows, planned)
        for row in rows:
            await self._place(tx, chunk, row, policy, report, planned)
        report.created += len(chunk.fresh)
        if planned is not None:
            _plan_leads(planned, chunk.fresh, chunk.fresh_comms)
            return
        if chunk.fresh:
            await self._insert(tx, chunk)
        await count_hits_by_value(tx.session, chunk.excluded, chunk.now)

    async def _look_up(self, tx: UnitOfWork, rows: list[_Row], planned: _Planned | None) -> _Chunk:
        """Bulk look-ups for the chunk's rows: earlier imports, exclusions, the leads and contacts that
        already have each value (companies do not make a lead a duplicate)."""
        values = sorted({value for row in rows for value in recognised(row.clean.comms)})
        ids = sorted({row.draft.external_id for row in rows if row.draft.external_id})
        found = await tx.session.execute(
            select(Lead.source_code, Lead.external_id).where(Lead.external_id.in_(ids))
        )
        earlier = {(source, external) for source, external in found}
        excluded = {(e.kind, e.normalized): 0 for e in await exclusions_of(tx.session, values)}
        owners: Owners = defaultdict(list)
        for owner_type, owner_id, kind, normalized in await owners_of(
            tx.session, values, (OwnerType.LEAD, OwnerType.CONTACT)
        ):
            owners[(kind, normalized)].append((owner_type, owner_id))
        if planned is not None:
            earlier |= planned.keys
            for value in values:
                owners[value].extend(planned.owners.get(value, []))
        return _Chunk(tx.now(), earlier, excluded, owners)

    async def _place(
        self,
        tx: UnitOfWork,
        chunk: _Chunk,
        row: _Row,
        policy: DuplicatePolicy,
        report: ImportReport,
        planned: _Planned | None,
    ) -> None:
        """Count the row as imported before, excluded, a skipped duplicate, merged, or a new lead."""
        row_values = recognised(row.clean.comms)
        if (row.draft.source_code, row.draft.external_id) in chunk.earlier:
            report.already += 1
            return
        if hits := [value for value in row_values if value in chunk.excluded]:
            report.excluded += 1
            for value in hits:
                chunk.excluded[value] += 1
            return
        known = [owner for value in row_values for owner in chunk.owners.get(value, [])]
        if known and policy is DuplicatePolicy.SKIP:
            kind, owner = known[0]
            earlier_row = kind in (_NEW, _PLANNED)
            report.skipped.append(Skipped(row.line, None if earlier_row else (OwnerType(kind), owner)))
            return
        if policy is DuplicatePolicy.MERGE and await self._merged(tx, chunk, row, known, planned):
            report.merged += 1
            return
        self._add_fresh(chunk, row, known, report, tx.by)

    async def _merged(
        self, tx: UnitOfWork, chunk: _Chunk, row: _Row, known: list[tuple[str, int]], planned: _Planned | None
    ) -> bool:
        """Merge the row into a lead of its own chunk, or else a stored (or planned) one; False: none."""
        pending = next((owner for kind, owner in known if kind == _NEW), None)
        stored = next(((kind, owner) for kind, owner in known if kind in _MERGE_INTO), None)
        if pending is not None:
            _fill(chunk.fresh[pending], chunk.fresh_comms[pending], row)
        elif stored is None:
            return False
        elif planned is not None:
            _plan_merge(planned, chunk.owners, stored, recognised(row.clean.comms))
        else:
            await self._merge(tx, stored[1], row, chunk.owners)
        return True

    def _add_fresh(
        self, chunk: _Chunk, row: _Row, known: list[tuple[str, int]], report: ImportReport, by: Actor | None
    ) -> None:
        """A new lead for the row, a repeat one (linked to the one contact it matches) if it is known."""
        lead_values = {
            **new_lead_values(
                row.draft,
                row.clean,
                creator_id=by.id if by else None,
                now=chunk.now,
                default_currency=self._ctx.settings.default_currency,
            ),
            "is_repeat": False,
            "contact_id": None,
            "take_seconds": 0 if row.draft.assignee_id is not None else None,  # Core insert: no ORM hook
            "version": 1,
        }
        if known:
            contacts = {owner for kind, owner in known if kind == OwnerType.CONTACT}
            lead_values["is_repeat"] = True
            lead_values["contact_id"] = contacts.pop() if len(contacts) == 1 else None
            report.repeat += 1
        chunk.earlier.add((row.draft.source_code, row.draft.external_id))
        for value in recognised(row.clean.comms):
            chunk.owners[value].append((_NEW, len(chunk.fresh)))
        chunk.fresh.append(lead_values)
        chunk.fresh_comms.append(list(row.clean.comms))

    async def _insert(self, tx: UnitOfWork, chunk: _Chunk) -> None:
        """The chunk's leads in one executemany (with their history rows), then their phones/e-mails."""
        ids = await tx.leads.add_many(chunk.fresh, field="source", new="import", at=chunk.now)
        comm_rows = [
            {
                "owner_type": OwnerType.LEAD,
                "owner_id": lead_id,
                "kind": c.kind,
                "raw": c.raw,
                "normalized": c.normalized,
                "value_type": CommValueType.WORK,
                "created_at": chunk.now,
            }
            for lead_id, lead_comms in zip(ids, chunk.fresh_comms, strict=True)
            for c in lead_comms
        ]
        if comm_rows:
            await tx.session.execute(insert(COMMUNICATIONS), comm_rows)

    async def _merge(self, tx: UnitOfWork, lead_id: int, row: _Row, owners: Owners) -> None:
        """Fill the existing lead's empty fields and give it the row's new phones/e-mails."""
        lead = await tx.leads.find(lead_id)
        if lead is None:
            return
        changes: dict[str, tuple[object, object]] = {}
        for name, value in row.clean.texts.items():
            if value and name != "external_id" and not getattr(lead, name):
                changes[name] = (None, value)
                setattr(lead, name, value)
        if row.clean.amount is not None and lead.amount is None:
            changes["amount"] = (None, row.clean.amount)
            lead.amount = row.clean.amount
        await tx.session.flush()
        have = set(recognised(await comms_of(tx.session, OwnerType.LEAD, lead.id)))
        new = [c for c in row.clean.comms if c.normalized and (c.kind, c.normalized) not in have]
        add_comms(tx.session, OwnerType.LEAD, lead.id, new)
        for comm in new:
            owners[(comm.kind, comm.normalized or "")].append((OwnerType.LEAD, lead.id))
            changes[comm.kind.value] = (None, comm.normalized)
        tx.history.changes("lead", lead.id, LeadAction.EDITED, changes, by_system=True)


def _plan_merge(
    planned: _Planned, owners: Owners, target: tuple[str, int], values: list[tuple[CommKind, str]]
) -> None:
    """A dry run's merge: the lead merged into owns the row's phones/e-mails from now on."""
    for value in values:
        if target not in owners[value]:
            owners[value].append(target)
            planned.owners[value].append(target)


def _plan_leads(planned: _Planned, leads: list[dict[str, object]], comms: list[list[CommValue]]) -> None:
    """A dry run's inserts: later chunks find these leads by key and by phone/e-mail."""
    for lead, lead_comms in zip(leads, comms, strict=True):
        planned.keys.add((str(lead["source_code"]), str(lead["external_id"])))
        for value in recognised(lead_comms):
            planned.owners[value].append((_PLANNED, len(planned.keys)))


def _fill(values: dict[str, object], comms: list[CommValue], row: _Row) -> None:
    """Merge a row into a lead created earlier in the same chunk: empty fields, new phones/e-mails."""
    for name, value in row.clean.texts.items():
        if value and not values.get(name):
            values[name] = value
    have = {(c.kind, c.normalized) for c in comms}
    comms.extend(c for c in row.clean.comms if c.normalized and (c.kind, c.normalized) not in have)
