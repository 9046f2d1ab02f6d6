"""Importing leads from a table (CSV/XLSX, our columns or Bitrix24's), as Bitrix24 does it:
duplicates (same phone or e-mail as a known lead or contact) are skipped, merged or allowed.

Rows are processed in chunks, one transaction each, with bulk look-ups (exclusions, earlier imports,
matches): every row gets the same validation, normalisation, exclusion check and matching as any
other intake. Re-importing a file creates nothing new: each row carries an external id (its own
column, or a hash of its cells). Imported leads are not announced in the chat: they are history.
A dry run does all of it and rolls back.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from sqlalchemy import and_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import CommKind, OwnerType, StatusSemantics
from db.models import Communication, Exclusion, Lead, LeadStatus, Source, User
from leadbot.actor import Actor
from leadbot.errors import DomainError, InvalidValue, UnknownCode
from leadbot.i18n_marker import N_
from leadbot.intake.columns import currency_code, map_headers
from leadbot.intake.tables import Table
from leadbot.permissions import Permission, require
from leadbot.services import history
from leadbot.services.comms import add_comms, recognised
from leadbot.services.context import ServiceContext
from leadbot.services.lead_input import CleanLead, LeadDraft, clean_draft
from leadbot.services.lead_tx import LeadAction

CHUNK = 500
IMPORT_SOURCE = "IMPORT"
Values = list[tuple[CommKind, str]]


class DuplicatePolicy(StrEnum):
    SKIP = "skip"  # leave the existing lead/contact as it is
    MERGE = "merge"  # fill its empty fields and add the new phones/e-mails
    ALLOW = "allow"  # create a repeat lead anyway


@dataclass
class ImportReport:
    created: int = 0
    repeat: int = 0
    merged: int = 0
    skipped: list[tuple[int, str]] = field(default_factory=list)  # (line, why)
    excluded: int = 0
    already: int = 0  # imported before (same external id)
    rejected: list[tuple[int, str, list[str]]] = field(default_factory=list)  # (line, reason, cells)

    @property
    def total(self) -> int:
        return (
            self.created + self.merged + len(self.skipped) + self.excluded + self.already + len(self.rejected)
        )


@dataclass
class _Row:
    line: int
    cells: list[str]
    draft: LeadDraft
    clean: CleanLead


class Directories:
    """Status and source codes by code or by name (Bitrix24 files say "New", "Call")."""

    def __init__(
        self, statuses: Sequence[LeadStatus], sources: Sequence[Source], users: Sequence[User]
    ) -> None:
        self.statuses = {key.lower(): s for s in statuses for key in (s.code, s.name_ru, s.name_en)}
        self.sources = {key.lower(): s.code for s in sources for key in (s.code, s.name_ru, s.name_en)}
        self.users = {key: u.id for u in users if u.active for key in (str(u.telegram_id), u.name.lower())}

    def status(self, value: str) -> str | None:
        if not value.strip():
            return None
        status = self.statuses.get(value.strip().lower())
        if status is None:
            raise UnknownCode(what=N_("status"), value=value[:32])
        if status.semantics is not StatusSemantics.PROCESS:
            raise InvalidValue(field=N_("status"), value=value[:32])
        return status.code

    def source(self, value: str, default: str) -> str:
        if not value.strip():
            return default
        code = self.sources.get(value.strip().lower())
        if code is None:
            raise UnknownCode(what=N_("source"), value=value[:32])
        return code

    def user(self, value: str) -> int | None:
        if not value.strip():
            return None
        user_id = self.users.get(value.strip().lower())
        if user_id is None:
            raise UnknownCode(what=N_("user"), value=value[:64])
        return user_id


def row_draft(
    cells: list[str], columns: dict[int, str], directories: Directories, default_source: str
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
        source_code=directories.source(one("source"), default_source),
        source_description=one("source_description") or None,
        comment=comment or None,
        amount=one("amount") or None,
        currency=currency_code(currency) if currency else None,
        external_id=one("external_id") or f"row:{digest}",
        assignee_id=directories.user(one("assignee")),
        status_code=directories.status(one("status")),
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
            directories = Directories(
                (await session.scalars(select(LeadStatus))).all(),
                (await session.scalars(select(Source))).all(),
                (await session.scalars(select(User))).all(),
            )
        default_source = directories.source(source, IMPORT_SOURCE)
        report = ImportReport()
        chunk: list[_Row] = []
        async with self._ctx.sessions() as session:
            transaction = await session.begin()
            for line, cells in table.rows:
                try:
                    draft = row_draft(cells, columns, directories, default_source)
                    chunk.append(
                        _Row(line, cells, draft, clean_draft(draft, self._ctx.settings.default_region))
                    )
                except DomainError as error:
                    report.rejected.append((line, error.render(), cells))
                if len(chunk) >= CHUNK:
                    await self._apply(session, chunk, duplicates, report, by)
                    chunk = []
                    if not dry_run:
                        await transaction.commit()
                        transaction = await session.begin()
                    if progress:
                        progress(report.total)
            await self._apply(session, chunk, duplicates, report, by)
            await (transaction.rollback() if dry_run else transaction.commit())
        if progress:
            progress(report.total)
        return report

    async def _apply(
        self,
        session: AsyncSession,
        rows: list[_Row],
        policy: DuplicatePolicy,
        report: ImportReport,
        by: Actor | None,
    ) -> None:
        if not rows:
            return
        now = self._ctx.clock.now()
        values = sorted({value for row in rows for value in recognised(row.clean.comms)})
        earlier = await self._imported_before(session, rows)
        excluded = await self._excluded(session, values)
        owners = await self._owners(session, values)
        fresh: list[tuple[Lead, _Row]] = []
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
                report.skipped.append(
                    (row.line, f"{kind.value} #{owner if isinstance(owner, int) else 'new'}")
                )
                continue
            target = next((owner for kind, owner in known if kind is OwnerType.LEAD), None)
            if target is not None and policy is DuplicatePolicy.MERGE:
                await self._merge(session, target, row, owners)
                report.merged += 1
                continue
            lead = self._new_lead(row, by, now)
            contacts = {
                owner for kind, owner in known if kind is OwnerType.CONTACT and isinstance(owner, int)
            }
            if known:
                lead.is_repeat = True
                report.repeat += 1
                lead.contact_id = contacts.pop() if len(contacts) == 1 else None
            session.add(lead)
            fresh.append((lead, row))
            earlier.add(key)
            for value in row_values:
                owners[value].append((OwnerType.LEAD, lead))
        await session.flush()
        for lead, row in fresh:
            add_comms(session, OwnerType.LEAD, lead.id, row.clean.comms)
            history.record(
                session,
                entity="lead",
                entity_id=lead.id,
                user_id=by.id if by else None,
                action=LeadAction.CREATED,
                field="source",
                new="import",
                at=now,
            )
        report.created += len(fresh)
        for (excluded_kind, excluded_value), count in excluded.items():
            if count:
                await session.execute(
                    update(Exclusion)
                    .where(Exclusion.kind == excluded_kind, Exclusion.normalized == excluded_value)
                    .values(hits=Exclusion.hits + count, last_hit_at=now)
                )
        await session.flush()

    def _new_lead(self, row: _Row, by: Actor | None, now: object) -> Lead:
        clean, draft = row.clean, row.draft
        return Lead(
            **clean.texts,
            source_code=draft.source_code,
            status_code=draft.status_code or "NEW",
            assignee_id=draft.assignee_id,
            creator_id=by.id if by else None,
            amount=clean.amount,
            currency=clean.currency
            or (self._ctx.settings.default_currency if clean.amount is not None else None),
            created_at=now,
            updated_at=now,
            taken_at=now if draft.assignee_id is not None else None,
        )

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
            owners[(comm.kind, comm.normalized)].append((OwnerType.LEAD, lead.id))  # type: ignore[index]
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

    async def _owners(self, session: AsyncSession, values: Values) -> dict[tuple[CommKind, str], list]:  # type: ignore[type-arg]
        """Leads and contacts that already have each value (companies do not make a lead a duplicate)."""
        owners: dict[tuple[CommKind, str], list] = defaultdict(list)  # type: ignore[type-arg]
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


async def _lead_comms(session: AsyncSession, lead_id: int) -> Sequence[Communication]:
    rows = await session.scalars(
        select(Communication).where(
            Communication.owner_type == OwnerType.LEAD, Communication.owner_id == lead_id
        )
    )
    return rows.all()
