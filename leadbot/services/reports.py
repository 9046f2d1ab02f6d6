"""Lead reports, aggregated in SQL: by manager, status and source (Bitrix24's three lead reports),
the funnel, junk, speed (median and 90th percentile) and repeat clients.

A report covers the leads created in [since, until) with their current state; managers see their
own figures only. Durations are computed in the database (window functions give the percentiles).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import Float, case, func, literal, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ColumnElement, FunctionElement

from db.enums import StatusSemantics
from db.models import JunkReason, Lead, LeadStatus, Source, User
from leadbot.actor import Actor
from leadbot.errors import InvalidValue
from leadbot.i18n_marker import N_
from leadbot.permissions import Permission, allowed
from leadbot.services.context import ServiceContext


class ReportName(StrEnum):
    MANAGERS = "managers"
    STATUSES = "statuses"
    SOURCES = "sources"
    FUNNEL = "funnel"
    JUNK = "junk"
    SPEED = "speed"
    REPEAT = "repeat"


class seconds_between(FunctionElement[float]):
    """Seconds from `start` to `end`, in the database's own date arithmetic."""

    type = Float()
    inherit_cache = True


@compiles(seconds_between, "sqlite")
def _seconds_sqlite(element: seconds_between, compiler: Any, **kw: Any) -> str:
    start, end = list(element.clauses)
    return (
        f"((julianday({compiler.process(end, **kw)}) - julianday({compiler.process(start, **kw)})) * 86400.0)"
    )


@compiles(seconds_between)
def _seconds_default(element: seconds_between, compiler: Any, **kw: Any) -> str:
    start, end = list(element.clauses)
    return f"EXTRACT(EPOCH FROM ({compiler.process(end, **kw)} - {compiler.process(start, **kw)}))"


@dataclass(frozen=True)
class Row:
    label: str
    values: tuple[Any, ...]


@dataclass(frozen=True)
class Report:
    name: ReportName
    columns: tuple[str, ...]  # English column titles (translated by the UI)
    rows: list[Row]
    totals: dict[str, Any] = field(default_factory=dict)


def share(part: int | Decimal, whole: int | Decimal) -> float:
    return round(100.0 * float(part) / float(whole), 1) if whole else 0.0


class ReportService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    async def build(
        self,
        name: ReportName,
        since: datetime,
        until: datetime,
        *,
        by: Actor | None = None,
        locale: str = "en",
    ) -> Report:
        """`by` None (command line, weekly summary) or a supervisor/admin: everyone; a manager: own leads."""
        if until <= since:
            raise InvalidValue(field=N_("period"), value=f"{since:%d.%m.%Y}–{until:%d.%m.%Y}")
        scope: list[ColumnElement[bool]] = [Lead.created_at >= since, Lead.created_at < until]
        if by is not None and not allowed(by, Permission.ASSIGN):
            scope.append(Lead.assignee_id == by.id)
        builder = {
            ReportName.MANAGERS: self._managers,
            ReportName.STATUSES: self._statuses,
            ReportName.SOURCES: self._sources,
            ReportName.FUNNEL: self._funnel,
            ReportName.JUNK: self._junk,
            ReportName.SPEED: self._speed,
            ReportName.REPEAT: self._repeat,
        }[name]
        async with self._ctx.reading() as session:
            return await builder(session, scope, locale)

    @staticmethod
    def _outcomes() -> tuple[ColumnElement[int], ColumnElement[int], ColumnElement[int]]:
        """Counts of leads in work, converted and junk (by the semantics of their current status)."""

        def counting(semantics: StatusSemantics) -> ColumnElement[int]:
            return func.coalesce(func.sum(case((LeadStatus.semantics == semantics, 1), else_=0)), 0)

        return (
            counting(StatusSemantics.PROCESS),
            counting(StatusSemantics.SUCCESS),
            counting(StatusSemantics.FAILURE),
        )

    async def _managers(self, session: AsyncSession, scope: list[ColumnElement[bool]], locale: str) -> Report:
        in_work, converted, junk = self._outcomes()
        query = (
            select(User.name, func.count(Lead.id), in_work, converted, junk)
            .select_from(Lead)
            .join(LeadStatus, LeadStatus.code == Lead.status_code)
            .outerjoin(User, User.id == Lead.assignee_id)
            .where(*scope)
            .group_by(Lead.assignee_id, User.name)
            .order_by(func.count(Lead.id).desc())
        )
        rows = (await session.execute(query)).all()
        total = sum(r[1] for r in rows)
        return Report(
            ReportName.MANAGERS,
            (
                N_("Manager"),
                N_("Leads"),
                N_("Share %"),
                N_("In work"),
                N_("Converted"),
                N_("Conv. %"),
                N_("Junk"),
                N_("Junk %"),
            ),
            [
                Row(name or "—", (n, share(n, total), work, conv, share(conv, n), bad, share(bad, n)))
                for name, n, work, conv, bad in rows
            ],
            {"leads": total},
        )

    async def _statuses(self, session: AsyncSession, scope: list[ColumnElement[bool]], locale: str) -> Report:
        query = (
            select(
                LeadStatus.code,
                LeadStatus.name_ru,
                LeadStatus.name_en,
                func.count(Lead.id),
                func.coalesce(func.sum(Lead.amount), 0),
            )
            .select_from(Lead)
            .join(LeadStatus, LeadStatus.code == Lead.status_code)
            .where(*scope)
            .group_by(LeadStatus.code, LeadStatus.name_ru, LeadStatus.name_en, LeadStatus.sort)
            .order_by(LeadStatus.sort)
        )
        rows = (await session.execute(query)).all()
        total = sum(r[3] for r in rows)
        amounts = [Decimal(r[4]).quantize(Decimal("0.01")) for r in rows]  # the Money type converts SUM too
        whole = sum(amounts, Decimal(0))
        return Report(
            ReportName.STATUSES,
            (N_("Status"), N_("Leads"), N_("Share %"), N_("Amount"), N_("Amount %")),
            [
                Row(
                    name_en if locale == "en" else name_ru, (n, share(n, total), amount, share(amount, whole))
                )
                for (_code, name_ru, name_en, n, _sum), amount in zip(rows, amounts, strict=True)
            ],
            {"leads": total, "amount": whole},
        )

    async def _sources(self, session: AsyncSession, scope: list[ColumnElement[bool]], locale: str) -> Report:
        _in_work, converted, junk = self._outcomes()
        name = Source.name_en if locale == "en" else Source.name_ru
        query = (
            select(name, func.count(Lead.id), converted, junk)
            .select_from(Lead)
            .join(LeadStatus, LeadStatus.code == Lead.status_code)
            .join(Source, Source.code == Lead.source_code)
            .where(*scope)
            .group_by(Source.code, name)
            .order_by(func.count(Lead.id).desc())
        )
        rows = (await session.execute(query)).all()
        total = sum(r[1] for r in rows)
        return Report(
            ReportName.SOURCES,
            (
                N_("Source"),
                N_("Leads"),
                N_("Share %"),
                N_("Converted"),
                N_("Conv. %"),
                N_("Junk"),
                N_("Junk %"),
            ),
            [
                Row(s, (n, share(n, total), conv, share(conv, n), bad, share(bad, n)))
                for s, n, conv, bad in rows
            ],
            {"leads": total},
        )

    async def _funnel(self, session: AsyncSession, scope: list[ColumnElement[bool]], locale: str) -> Report:
        first = (
            select(LeadStatus.code)
            .where(LeadStatus.semantics == StatusSemantics.PROCESS)
            .order_by(LeadStatus.sort)
            .limit(1)
            .scalar_subquery()
        )
        query = (
            select(
                func.count(Lead.id),
                func.count(Lead.taken_at),
                func.coalesce(func.sum(case((Lead.status_code != first, 1), else_=0)), 0),
                func.coalesce(
                    func.sum(case((LeadStatus.semantics == StatusSemantics.SUCCESS, 1), else_=0)), 0
                ),
            )
            .select_from(Lead)
            .join(LeadStatus, LeadStatus.code == Lead.status_code)
            .where(*scope)
        )
        created, taken, worked, converted = (await session.execute(query)).one()
        steps = [
            (N_("Created"), created),
            (N_("Taken"), taken),
            (N_("In work"), worked),
            (N_("Converted"), converted),
        ]
        rows = [
            Row(label, (count, share(count, created), share(count, steps[i - 1][1]) if i else 100.0))
            for i, (label, count) in enumerate(steps)
        ]
        return Report(
            ReportName.FUNNEL,
            (N_("Stage"), N_("Leads"), N_("Of created %"), N_("Of previous %")),
            rows,
            {"leads": created},
        )

    async def _junk(self, session: AsyncSession, scope: list[ColumnElement[bool]], locale: str) -> Report:
        reason = JunkReason.name_en if locale == "en" else JunkReason.name_ru
        source = Source.name_en if locale == "en" else Source.name_ru
        base = (
            select(func.count(Lead.id))
            .select_from(Lead)
            .join(LeadStatus, LeadStatus.code == Lead.status_code)
            .where(*scope)
        )
        total = (await session.execute(base)).scalar_one()
        junk_total = (
            await session.execute(base.where(LeadStatus.semantics == StatusSemantics.FAILURE))
        ).scalar_one()
        rows: list[Row] = []
        for label, group in ((N_("Manager"), func.coalesce(User.name, literal("—"))), (N_("Source"), source)):
            query = (
                select(group, reason, func.count(Lead.id))
                .select_from(Lead)
                .join(LeadStatus, LeadStatus.code == Lead.status_code)
                .join(Source, Source.code == Lead.source_code)
                .outerjoin(JunkReason, JunkReason.code == Lead.junk_reason_code)
                .outerjoin(User, User.id == Lead.assignee_id)
                .where(*scope, LeadStatus.semantics == StatusSemantics.FAILURE)
                .group_by(group, reason)
                .order_by(func.count(Lead.id).desc())
            )
            rows += [
                Row(who, (label, why or "—", n, share(n, junk_total)))
                for who, why, n in await session.execute(query)
            ]
        return Report(
            ReportName.JUNK,
            (N_("Name"), N_("By"), N_("Reason"), N_("Leads"), N_("Of junk %")),
            rows,
            {"leads": total, "junk": junk_total, "junk_rate": share(junk_total, total)},
        )

    async def _speed(self, session: AsyncSession, scope: list[ColumnElement[bool]], locale: str) -> Report:
        """Minutes from creation to the first action and to assignment: median and 90th percentile
        (nearest rank, by window functions) per manager."""
        results: dict[str, dict[str, float]] = {}
        for metric, moment in (("first_action", Lead.first_action_at), ("assignment", Lead.taken_at)):
            duration = seconds_between(Lead.created_at, moment)
            ranked = (
                select(
                    func.coalesce(User.name, literal("—")).label("who"),
                    duration.label("seconds"),
                    func.row_number().over(partition_by=Lead.assignee_id, order_by=duration).label("rank"),
                    func.count().over(partition_by=Lead.assignee_id).label("n"),
                )
                .select_from(Lead)
                .outerjoin(User, User.id == Lead.assignee_id)
                .where(*scope, moment.is_not(None))
                .subquery()
            )
            query = select(
                ranked.c.who,
                func.min(case((ranked.c.rank >= ranked.c.n * 0.5, ranked.c.seconds))),
                func.min(case((ranked.c.rank >= ranked.c.n * 0.9, ranked.c.seconds))),
                func.max(ranked.c.n),
            ).group_by(ranked.c.who)
            for who, median, p90, n in await session.execute(query):
                results.setdefault(who, {})[metric] = median
                results[who][f"{metric}_p90"] = p90
                results[who][f"{metric}_n"] = n
        rows = [
            Row(
                who,
                tuple(
                    round(values[key] / 60, 1) if values.get(key) is not None else None
                    for key in ("first_action", "first_action_p90", "assignment", "assignment_p90")
                ),
            )
            for who, values in sorted(results.items())
        ]
        return Report(
            ReportName.SPEED,
            (
                N_("Manager"),
                N_("1st action median, min"),
                N_("1st action p90, min"),
                N_("Assignment median, min"),
                N_("Assignment p90, min"),
            ),
            rows,
        )

    async def _repeat(self, session: AsyncSession, scope: list[ColumnElement[bool]], locale: str) -> Report:
        source = Source.name_en if locale == "en" else Source.name_ru
        query = (
            select(
                source, func.count(Lead.id), func.coalesce(func.sum(case((Lead.is_repeat, 1), else_=0)), 0)
            )
            .select_from(Lead)
            .join(Source, Source.code == Lead.source_code)
            .where(*scope)
            .group_by(Source.code, source)
            .order_by(func.count(Lead.id).desc())
        )
        rows = (await session.execute(query)).all()
        total = sum(r[1] for r in rows)
        repeat = sum(r[2] for r in rows)
        return Report(
            ReportName.REPEAT,
            (N_("Source"), N_("Leads"), N_("Repeat"), N_("Repeat %")),
            [Row(s, (n, r, share(r, n))) for s, n, r in rows],
            {"leads": total, "repeat": repeat, "repeat_rate": share(repeat, total)},
        )
