"""Importing leads from a table (CSV/XLSX, our columns or Bitrix24's), as Bitrix24 does it:
duplicates (same phone or e-mail as a known lead or contact) are skipped, merged or allowed.

Rows are processed in chunks, one transaction each, with bulk look-ups (exclusions, earlier imports,
matches): every row gets the same validation, normalisation, exclusion check and matching as any
other intake. Re-importing a file creates nothing new: each row carries an external id (its own
column, or a hash of its cells). Imported leads are not announced in the chat: they are history.
A dry run only reads, a chunk at a time, so it never holds a write lock (on SQLite one would stall every
other writer for the whole run): what it would have written is remembered for the chunks after it.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import NamedTuple

from sqlalchemy import Table as SqlTable
from sqlalchemy import and_, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import CommKind, CommValueType, OwnerType
from db.models import Communication, Exclusion, HistoryEntry, Lead
from db.statistics import refresh_statistics
from leadbot.actor import Actor
from leadbot.errors import DomainError, InvalidValue
from leadbot.i18n_marker import N_
from leadbot.intake.columns import currency_code, map_headers, unused_headers
from leadbot.intake.tables import Table
from leadbot.normalize import CommValue
from leadbot.permissions import Permission, require
from leadbot.services import history
from leadbot.services.comms import add_comms, recognised
from leadbot.services.context import ServiceContext
from leadbot.services.directory_lookup import DirectoryLookup
from leadbot.services.lead_input import CleanLead, LeadDraft, clean_draft
from leadbot.services.lead_tx import LeadAction

CHUNK = 1000
IMPORT_SOURCE = "IMPORT"
Values = list[tuple[CommKind, str]]
_NEW = "new"  # an owner created earlier in the same chunk: ("new", its index among the chunk's new leads)
_PLANNED = "planned"  # in a dry run, a lead an earlier chunk would have created: ("planned", its number)
_MERGE_INTO = (OwnerType.LEAD, _PLANNED)  # owners a row merges into when no lead of its own chunk matches
LEADS: SqlTable = Lead.__table__  # type: ignore[assignment]
COMMUNICATIONS: SqlTable = Communication.__table__  # type: ignore[assignment]
HISTORY: SqlTable = HistoryEntry.__table__  # type: ignore[assignment]
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


def row_draft(
    cells: list[str], columns: dict[int, str], directories: DirectoryLookup, default_source: str
) -> LeadDraft:
    values: dict[str, list[str]] = defaultdict(list)
    for index, name in columns.items():
        if index < len(cells) and cells[index].strip():
            values[name].append(cells[index].strip())

    def one(name: str) -> str:
        return " ".join(values.get(name, []))

    comment = "\n".join(
        filter(
            None, [one("comment"), ("📍 " + ", ".join(values["address"])) if values.get("address") else ""]
        )
    )
    currency = one("currency")
    digest = hashlib.sha1("\x1f".join(cells).encode()).hexdigest()[:24]
    return LeadDraft(
        title=one("title") or None,
        name=one("name") or one("full_name") or None,
        second_name=one("second_name") or None,
        last_name=one("last_name") or None,
        company_title=one("company_title") or None,
        post=one("post") or None,
        phones=[*values["phone_mobile"], *values["phone_work"], *values["phone_home"], *values["phone"]],
        emails=[*values["email_work"], *values["email_home"], *values["email"]],
        source_code=directories.source(one("source")) if one("source") else default_source,
        source_description=one("source_description") or None,
        comment=comment or None,
        amount=one("amount") or None,
        currency=currency_code(currency) if currency else None,
        external_id=one("external_id") or f"row:{digest}",
        assignee_id=directories.user(one("assignee")),
        status_code=directories.open_status(one("status")),
    )


class ImportService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    async def run(
        self,
        table: Table,
        *,
        by: Actor | None = None,
        source: str = IMPORT_SOURCE,
        duplicates: DuplicatePolicy = DuplicatePolicy.SKIP,
        dry_run: bool = False,
        mapping: dict[str, str] | None = None,
        progress: Callable[[int], None] | None = None,
    ) -> ImportReport:
        """`by` is None for the command line (the operator of the machine); in the bot, only
        supervisors and admins import."""
        if by is not None:
            require(by, Permission.IMPORT)
        columns = map_headers(table.headers, mapping)
        if not columns:
            raise InvalidValue(field=N_("columns"), value=", ".join(table.headers)[:100])
        async with self._ctx.reading() as session:
            directories = await DirectoryLookup.load(session)
        default_source = directories.source(source)
        report = ImportReport(unused_columns=unused_headers(table.headers, columns))
        planned = _Planned() if dry_run else None
        chunk: list[_Row] = []
        for line, cells in table.rows:
            try:
                draft = row_draft(cells, columns, directories, default_source)
                chunk.append(_Row(line, cells, draft, clean_draft(draft, self._ctx.settings.default_region)))
            except DomainError as error:
                report.rejected.append(Rejected(line, error, cells))
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

    async def _chunk(
        self,
        rows: list[_Row],
        policy: DuplicatePolicy,
        report: ImportReport,
        by: Actor | None,
        planned: _Planned | None,
    ) -> None:
        """One chunk, in one transaction; in a dry run (`planned`), a read-only one."""
        opened = self._ctx.reading() if planned is not None else self._ctx.transaction()
        async with opened as session:
            await self._apply(session, rows, policy, report, by, planned)

    async def _apply(
        self,
        session: AsyncSession,
        rows: list[_Row],
        policy: DuplicatePolicy,
        report: ImportReport,
        by: Actor | None,
        planned: _Planned | None,
    ) -> None:
        if not rows:
            return
        now = self._ctx.clock.now()
        values = sorted({value for row in rows for value in recognised(row.clean.comms)})
        earlier = await self._imported_before(session, rows)
        excluded = await self._excluded(session, values)
        owners = await self._owners(session, values)
        if planned is not None:
            earlier |= planned.keys
            for value in values:
                owners[value].extend(planned.owners.get(value, []))
        fresh: list[dict[str, object]] = []  # column values of the leads this chunk creates
        fresh_comms: list[list[CommValue]] = []
        for row in rows:
            key = (row.draft.source_code, row.draft.external_id)
            row_values = recognised(row.clean.comms)
            if key in earlier:
                report.already += 1
                continue
            hits = [value for value in row_values if value in excluded]
            if hits:
                report.excluded += 1
                for value in hits:
                    excluded[value] += 1
                continue
            known = [owner for value in row_values for owner in owners.get(value, [])]
            if known and policy is DuplicatePolicy.SKIP:
                kind, owner = known[0]
                earlier_row = kind in (_NEW, _PLANNED)
                report.skipped.append(Skipped(row.line, None if earlier_row else (OwnerType(kind), owner)))
                continue
            pending = next((owner for kind, owner in known if kind == _NEW), None)
            stored = next(((kind, owner) for kind, owner in known if kind in _MERGE_INTO), None)
            if policy is DuplicatePolicy.MERGE and (pending is not None or stored is not None):
                if pending is not None:
                    _fill(fresh[pending], fresh_comms[pending], row)
                elif stored is not None and planned is not None:
                    _plan_merge(planned, owners, stored, row_values)
                elif stored is not None:
                    await self._merge(session, stored[1], row, owners)
                report.merged += 1
                continue
            lead_values = self._lead_values(row, by, now)
            if known:
                contacts = {owner for kind, owner in known if kind == OwnerType.CONTACT}
                lead_values["is_repeat"] = True
                lead_values["contact_id"] = contacts.pop() if len(contacts) == 1 else None
                report.repeat += 1
            earlier.add(key)
            for value in row_values:
                owners[value].append((_NEW, len(fresh)))
            fresh.append(lead_values)
            fresh_comms.append(list(row.clean.comms))
        report.created += len(fresh)
        if planned is not None:
            _plan_leads(planned, fresh, fresh_comms)
            return
        if fresh:
            await self._insert(session, fresh, fresh_comms, by, now)
        for (excluded_kind, excluded_value), count in excluded.items():
            if count:
                await session.execute(
                    update(Exclusion)
                    .where(Exclusion.kind == excluded_kind, Exclusion.normalized == excluded_value)
                    .values(hits=Exclusion.hits + count, last_hit_at=now)
                )

    async def _insert(
        self,
        session: AsyncSession,
        leads: list[dict[str, object]],
        comms: list[list[CommValue]],
        by: Actor | None,
        now: datetime,
    ) -> None:
        """One executemany for the chunk's leads, then their phones/e-mails and history rows. Each new lead
        has a unique (source, external id), which gives back its id (RETURNING would force SQLAlchemy to
        split the batch on SQLite to keep rows in order)."""
        await session.execute(insert(LEADS), leads)
        keys = [(lead["source_code"], lead["external_id"]) for lead in leads]
        stored = await session.execute(
            select(Lead.id, Lead.source_code, Lead.external_id).where(
                Lead.external_id.in_([k[1] for k in keys])
            )
        )
        id_of = {(row.source_code, row.external_id): row.id for row in stored}
        ids = [id_of[key] for key in keys]
        comm_rows = [
            {
                "owner_type": OwnerType.LEAD,
                "owner_id": lead_id,
                "kind": c.kind,
                "raw": c.raw,
                "normalized": c.normalized,
                "value_type": CommValueType.WORK,
                "created_at": now,
            }
            for lead_id, lead_comms in zip(ids, comms, strict=True)
            for c in lead_comms
        ]
        if comm_rows:
            await session.execute(insert(COMMUNICATIONS), comm_rows)
        await session.execute(
            insert(HISTORY),
            [
                {
                    "entity": "lead",
                    "entity_id": lead_id,
                    "user_id": by.id if by else None,
                    "action": LeadAction.CREATED,
                    "field": "source",
                    "new": "import",
                    "at": now,
                }
                for lead_id in ids
            ],
        )

    def _lead_values(self, row: _Row, by: Actor | None, now: datetime) -> dict[str, object]:
        clean, draft = row.clean, row.draft
        return {
            **clean.texts,
            "source_code": draft.source_code,
            "status_code": draft.status_code or "NEW",
            "assignee_id": draft.assignee_id,
            "creator_id": by.id if by else None,
            "amount": clean.amount,
            "currency": clean.currency
            or (self._ctx.settings.default_currency if clean.amount is not None else None),
            "is_repeat": False,
            "contact_id": None,
            "created_at": now,
            "updated_at": now,
            "taken_at": now if draft.assignee_id is not None else None,
            "take_seconds": 0 if draft.assignee_id is not None else None,  # Core insert: no ORM hook
            "version": 1,
        }

    async def _merge(
        self,
        session: AsyncSession,
        target: Lead | int,
        row: _Row,
        owners: dict[tuple[CommKind, str], list],  # type: ignore[type-arg]
    ) -> None:
        """Fill the existing lead's empty fields and give it the row's new phones/e-mails."""
        lead = target if isinstance(target, Lead) else await session.get(Lead, target)
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
        await session.flush()
        have = set(recognised(await _lead_comms(session, lead.id)))
        new = [c for c in row.clean.comms if c.normalized and (c.kind, c.normalized) not in have]
        add_comms(session, OwnerType.LEAD, lead.id, new)
        for comm in new:
            owners[(comm.kind, comm.normalized or "")].append((OwnerType.LEAD, lead.id))
            changes[comm.kind.value] = (None, comm.normalized)
        history.record_changes(
            session,
            entity="lead",
            entity_id=lead.id,
            user_id=None,
            action=LeadAction.EDITED,
            at=self._ctx.clock.now(),
            changes=changes,
        )

    async def _imported_before(self, session: AsyncSession, rows: list[_Row]) -> set[tuple[str, str | None]]:
        ids = sorted({row.draft.external_id for row in rows if row.draft.external_id})
        found = await session.execute(
            select(Lead.source_code, Lead.external_id).where(Lead.external_id.in_(ids))
        )
        return {(source, external) for source, external in found}

    async def _excluded(self, session: AsyncSession, values: Values) -> dict[tuple[CommKind, str], int]:
        if not values:
            return {}
        found = await session.execute(
            select(Exclusion.kind, Exclusion.normalized).where(
                _any_of(Exclusion.kind, Exclusion.normalized, values)
            )
        )
        return {(row.kind, row.normalized): 0 for row in found}

    async def _owners(self, session: AsyncSession, values: Values) -> Owners:
        """Leads and contacts that already have each value (companies do not make a lead a duplicate)."""
        owners: Owners = defaultdict(list)
        if not values:
            return owners
        found = await session.execute(
            select(
                Communication.owner_type, Communication.owner_id, Communication.kind, Communication.normalized
            )
            .where(_any_of(Communication.kind, Communication.normalized, values))
            .where(Communication.owner_type.in_([OwnerType.LEAD, OwnerType.CONTACT]))
        )
        for owner_type, owner_id, kind, value in found:
            owners[(kind, value)].append((owner_type, owner_id))
        return owners


def _any_of(kind_column, value_column, values: Iterable[tuple[CommKind, str]]):  # type: ignore[no-untyped-def]
    by_kind: dict[CommKind, list[str]] = defaultdict(list)
    for kind, value in values:
        by_kind[kind].append(value)
    return or_(*(and_(kind_column == kind, value_column.in_(found)) for kind, found in by_kind.items()))


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


async def _lead_comms(session: AsyncSession, lead_id: int) -> Sequence[Communication]:
    rows = await session.scalars(
        select(Communication).where(
            Communication.owner_type == OwnerType.LEAD, Communication.owner_id == lead_id
        )
    )
    return rows.all()
