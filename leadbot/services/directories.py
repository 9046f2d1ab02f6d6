"""Lead statuses, sources and junk reasons: read by everyone, edited by admins. Codes never change."""

from __future__ import annotations

import re
from collections.abc import Sequence
from enum import StrEnum
from typing import Any, cast

from sqlalchemy import select

from db.enums import StatusSemantics
from db.models import JunkReason, LeadStatus, Source
from leadbot.actor import Actor
from leadbot.errors import InvalidValue, NotFound
from leadbot.i18n_marker import N_
from leadbot.normalize import visible_text
from leadbot.permissions import Permission, require
from leadbot.services.context import ServiceContext
from leadbot.services.lead_tx import LeadAction
from leadbot.services.unit_of_work import DirectoryRepository, UnitOfWork, unit_of_work

_CODE = re.compile(r"^[A-Z][A-Z0-9_]{1,31}$")
NAME_LIMIT = 64


class Directory(StrEnum):
    STATUSES = "statuses"
    SOURCES = "sources"
    JUNK_REASONS = "junk_reasons"


MODELS: dict[Directory, type[LeadStatus] | type[Source] | type[JunkReason]] = {
    Directory.STATUSES: LeadStatus,
    Directory.SOURCES: Source,
    Directory.JUNK_REASONS: JunkReason,
}

Entry = LeadStatus | Source | JunkReason


def _name(value: str) -> str:
    name = " ".join(visible_text(value).split())
    if not name or len(name) > NAME_LIMIT:
        raise InvalidValue(field=N_("name"), value=value[:NAME_LIMIT])
    return name


def _is_final(entry: Entry) -> bool:
    return isinstance(entry, LeadStatus) and entry.semantics is not StatusSemantics.PROCESS


class DirectoryService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    async def entries(self, directory: Directory, *, active_only: bool = True) -> Sequence[Entry]:
        model = MODELS[directory]
        query = select(model).order_by(model.sort, model.code)
        if active_only:
            query = query.where(model.active.is_(True))
        async with self._ctx.reading() as session:
            return cast(Sequence[Entry], (await session.scalars(query)).all())

    async def process_statuses(self) -> list[LeadStatus]:
        statuses = await self.entries(Directory.STATUSES)
        return [s for s in statuses if isinstance(s, LeadStatus) and s.semantics is StatusSemantics.PROCESS]

    async def junk_reasons(self) -> list[JunkReason]:
        return [r for r in await self.entries(Directory.JUNK_REASONS) if isinstance(r, JunkReason)]

    async def add(self, directory: Directory, code: str, name_ru: str, name_en: str, by: Actor) -> Entry:
        """Add an entry after the last one. New statuses are always process statuses."""
        require(by, Permission.MANAGE_DIRECTORIES)
        code = code.strip().upper()
        if not _CODE.match(code):
            raise InvalidValue(field=N_("code"), value=code[:32])
        model = MODELS[directory]
        async with unit_of_work(self._ctx, by) as tx:
            entries = _repository(tx, directory)
            if await entries.find(code) is not None:
                raise InvalidValue(field=N_("code"), value=code)
            extra = {"semantics": StatusSemantics.PROCESS} if model is LeadStatus else {}
            entry = model(code=code, name_ru=_name(name_ru), name_en=_name(name_en), **extra)
            await _renumber(tx, directory, [], new=entry)
            return cast(Entry, await entries.add(entry))

    async def rename(
        self, directory: Directory, code: str, by: Actor, *, ru: str | None, en: str | None
    ) -> Entry:
        require(by, Permission.MANAGE_DIRECTORIES)
        async with unit_of_work(self._ctx, by) as tx:
            entries = _repository(tx, directory)
            entry = cast(Entry | None, await entries.find(code))
            if entry is None:
                raise NotFound(what=N_("Entry"), id=code)
            names = {"name_ru": ru, "name_en": en}
            entries.change(
                entry, LeadAction.EDITED, **{k: _name(v) for k, v in names.items() if v is not None}
            )
            return entry

    async def reorder(self, directory: Directory, codes: Sequence[str], by: Actor) -> None:
        """Give the listed entries this order; entries not listed keep their place after them."""
        require(by, Permission.MANAGE_DIRECTORIES)
        async with unit_of_work(self._ctx, by) as tx:
            await _renumber(tx, directory, codes)

    async def move(self, directory: Directory, code: str, step: int, by: Actor) -> None:
        """Move one entry up (step -1) or down (step +1) among the process entries."""
        entries = [e.code for e in await self.entries(directory, active_only=False)]
        if code not in entries:
            raise NotFound(what=N_("Entry"), id=code)
        index = entries.index(code)
        target = max(0, min(len(entries) - 1, index + step))
        entries.insert(target, entries.pop(index))
        await self.reorder(directory, entries, by)


def _repository(tx: UnitOfWork, directory: Directory) -> DirectoryRepository[Any]:
    repositories: dict[Directory, DirectoryRepository[Any]] = {
        Directory.STATUSES: tx.statuses,
        Directory.SOURCES: tx.sources,
        Directory.JUNK_REASONS: tx.junk_reasons,
    }
    return repositories[directory]


async def _renumber(
    tx: UnitOfWork, directory: Directory, codes: Sequence[str], *, new: Entry | None = None
) -> None:
    """Sort values 10, 20, … in the given order (a `new` entry, not stored yet, comes last among those not
    listed); final statuses always stay after process ones. Each stored entry that moves logs its "sort"."""
    repository = _repository(tx, directory)
    entries: dict[str, Entry] = {entry.code: entry for entry in await repository.in_order()}
    unknown = [code for code in codes if code not in entries]
    if unknown:
        raise NotFound(what=N_("Entry"), id=unknown[0])
    if new is not None:
        entries[new.code] = new
    ordered = list(dict.fromkeys(codes)) + [code for code in entries if code not in codes]
    if directory is Directory.STATUSES:
        ordered.sort(key=lambda code: _is_final(entries[code]))
    for position, code in enumerate(ordered, start=1):
        if entries[code] is new:
            entries[code].sort = position * 10
        else:
            repository.change(entries[code], LeadAction.EDITED, sort=position * 10)
