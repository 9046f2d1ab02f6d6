"""Lead reports, aggregated in SQL: by manager, status and source (Bitrix24's three lead reports),
the funnel, junk, speed (median and 90th percentile) and repeat clients.

A report covers the leads created in [since, until) with their current state; managers see their
own figures only. Every open lead (a status with in-process semantics) is either *new* (still in the
first status, NEW by default) or *in work* (in any later in-process status), so a manager's leads are
new + in work + converted + junk. Amounts are summed per currency, never across currencies.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import Select, and_, case, func, literal, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.expression import ColumnElement

from db.enums import StatusSemantics
from db.models import JunkReason, Lead, LeadStatus, Source, User
from leadbot.actor import Actor
from leadbot.errors import InvalidValue
from leadbot.i18n_marker import N_
from leadbot.permissions import Permission, allowed
from leadbot.services.context import ServiceContext
from leadbot.services.lead_input import currency_for


class ReportName(StrEnum):
    MANAGERS = "managers"
    STATUSES = "statuses"
    SOURCES = "sources"
    FUNNEL = "funnel"
    JUNK = "junk"
    SPEED = "speed"
    REPEAT = "repeat"


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
    currencies: tuple[str, ...] = ()  # of the money columns, in order (the statuses report)

    @property
    def is_empty(self) -> bool:
        """Nothing to show: no lead in the period (the funnel still has its stages), or no row at all."""
        return not self.rows or self.totals.get("leads") == 0


def _minutes(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds / 60, 1)


def share(part: int | Decimal, whole: int | Decimal) -> float:
    return round(100.0 * float(part) / float(whole), 1) if whole else 0.0


def _first_status() -> Any:
    """The code of the first in-process status (NEW unless an admin reordered them)."""
    return (
        select(LeadStatus.code)
        .where(LeadStatus.semantics == StatusSemantics.PROCESS)
        .order_by(LeadStatus.sort)
        .limit(1)
        .scalar_subquery()
    )


def _nth(
    scope: list[ColumnElement[bool]], assignee: int | None, seconds: Any, percent: int, count: int
) -> Any:
    """The nearest-rank `percent`-th percentile of one manager's `count` durations, as a scalar subquery
    that walks the (assignee, duration) index from the nearer end. None when there are no durations."""
    if not count:
        return literal(None)
    rank = (percent * count + 99) // 100  # ceil(percent% of count), in integers
    from_top = rank > count - rank + 1
    whose = Lead.assignee_id.is_(None) if assignee is None else Lead.assignee_id == assignee
    return (
        select(seconds)
        .where(*scope, whose, seconds.is_not(None))
        .order_by(seconds.desc() if from_top else seconds.asc())
        .limit(1)
        .offset(count - rank if from_top else rank - 1)
        .scalar_subquery()
    )


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
    def _by(scope: list[ColumnElement[bool]], *keys: Any, **figures: Any) -> Any:
        """Aggregate the leads alone first, joining lookups afterwards. Indexes that lead with the grouping
        keys (db/models/leads.py) let the database group in index order instead of sorting every lead."""
        query = select(
            *keys, func.count().label("n"), *(value.label(name) for name, value in figures.items())
        )
        return query.where(*scope).group_by(*keys).subquery()

    @staticmethod
    def _outcomes(n: Any, status_code: Any) -> tuple[ColumnElement[int], ...]:
        """How many of `n` leads (grouped with their `status_code`, joined to LeadStatus) are new, in work,
        converted and junk: new and in work are the open ones in the first status and in any later one."""
        first = _first_status()
        is_open = LeadStatus.semantics == StatusSemantics.PROCESS

        def counting(condition: ColumnElement[bool]) -> ColumnElement[int]:
            return func.coalesce(func.sum(case((condition, n), else_=0)), 0)

        return (
            counting(and_(is_open, status_code == first)),
            counting(and_(is_open, status_code != first)),
            counting(LeadStatus.semantics == StatusSemantics.SUCCESS),
            counting(LeadStatus.semantics == StatusSemantics.FAILURE),
        )

    async def _managers(self, session: AsyncSession, scope: list[ColumnElement[bool]], locale: str) -> Report:
        counts = self._by(scope, Lead.assignee_id, Lead.status_code)
        query = (
            select(User.name, func.sum(counts.c.n), *self._outcomes(counts.c.n, counts.c.status_code))
            .select_from(counts)
            .join(LeadStatus, LeadStatus.code == counts.c.status_code)
            .outerjoin(User, User.id == counts.c.assignee_id)
            .group_by(counts.c.assignee_id, User.name)
            .order_by(func.sum(counts.c.n).desc())
        )
        rows = (await session.execute(query)).all()
        total = sum(r[1] for r in rows)
        columns = (N_("Manager"), N_("Leads"), N_("Share %"), N_("New"), N_("In work"), N_("Converted"))
        return Report(
            ReportName.MANAGERS,
            (*columns, N_("Conv. %"), N_("Junk"), N_("Junk %")),
            [
                Row(
                    name or N_("Unassigned"),
                    (n, share(n, total), new, work, conv, share(conv, n), bad, share(bad, n)),
                )
                for name, n, new, work, conv, bad in rows
            ],
            {"leads": total},
        )

    async def _statuses(self, session: AsyncSession, scope: list[ColumnElement[bool]], locale: str) -> Report:
        """Leads and amounts per status; each currency's amounts apart (an amount with no currency is in
        the default one), with their share of that currency's total."""
        counts = self._by(scope, Lead.status_code, Lead.currency, amount=func.sum(Lead.amount))
        default = self._ctx.settings.default_currency
        labels: dict[str, str] = {}
        leads: dict[str, int] = {}
        amounts: dict[tuple[str, str], Decimal] = {}  # (status, currency) → its sum
        wholes: dict[str, Decimal] = {}  # currency → its sum
        for code, label, currency, n, amount in await session.execute(_per_status(counts, locale)):
            labels[code] = label
            leads[code] = leads.get(code, 0) + n
            if amount:  # the Money type converts SUM to Decimal
                key = (code, currency_for(amount, currency, default))
                amounts[key] = amounts.get(key, Decimal(0)) + amount
                wholes[key[1]] = wholes.get(key[1], Decimal(0)) + amount
        currencies = tuple(sorted(wholes, key=lambda c: (c != default, c)))
        total = sum(leads.values())

        def figures(code: str) -> tuple[Any, ...]:
            money: list[Any] = []
            for c in currencies:
                amount = amounts.get((code, c), Decimal(0))
                money += [amount.quantize(Decimal("0.01")), share(amount, wholes[c])]
            return (leads[code], share(leads[code], total), *money)

        amount_columns = (f"{title}, {c}" for c in currencies for title in (N_("Amount"), N_("Amount %")))
        return Report(
            ReportName.STATUSES,
            (N_("Status"), N_("Leads"), N_("Share %"), *amount_columns),
            [Row(labels[code], figures(code)) for code in labels],
            {"leads": total, "amount": {c: wholes[c].quantize(Decimal("0.01")) for c in currencies}},
            currencies,
        )

    async def _sources(self, session: AsyncSession, scope: list[ColumnElement[bool]], locale: str) -> Report:
        counts = self._by(scope, Lead.source_code, Lead.status_code)
        *_open, converted, junk = self._outcomes(counts.c.n, counts.c.status_code)
        name = Source.name_en if locale == "en" else Source.name_ru
        query = (
            select(name, func.sum(counts.c.n), converted, junk)
            .select_from(counts)
            .join(LeadStatus, LeadStatus.code == counts.c.status_code)
            .join(Source, Source.code == counts.c.source_code)
            .group_by(Source.code, name)
            .order_by(func.sum(counts.c.n).desc())
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
        """Created → taken (has had an assignee) → work started (left the first status: in work, converted
        or junk) → converted. Each stage counts the leads that reached it, so they narrow."""
        first = _first_status()
        counts = self._by(scope, Lead.status_code, taken=func.count(Lead.taken_at))
        success = case((LeadStatus.semantics == StatusSemantics.SUCCESS, counts.c.n), else_=0)
        query = (
            select(
                func.coalesce(func.sum(counts.c.n), 0),
                func.coalesce(func.sum(counts.c.taken), 0),
                func.coalesce(func.sum(case((counts.c.status_code != first, counts.c.n), else_=0)), 0),
                func.coalesce(func.sum(success), 0),
            )
            .select_from(counts)
            .join(LeadStatus, LeadStatus.code == counts.c.status_code)
        )
        created, taken, worked, converted = (await session.execute(query)).one()
        steps = [
            (N_("Created"), created),
            (N_("Taken"), taken),
            (N_("Work started"), worked),
            (N_("Converted"), converted),
        ]
        rows = [
            Row(label, (count, share(count, created), share(count, steps[i - 1][1]) if i else 100.0))
            for i, (label, count) in enumerate(steps)
        ]
        columns = (N_("Stage"), N_("Leads"), N_("Of created %"), N_("Of previous %"))
        return Report(ReportName.FUNNEL, columns, rows, {"leads": created})

    async def _junk(self, session: AsyncSession, scope: list[ColumnElement[bool]], locale: str) -> Report:
        reason = JunkReason.name_en if locale == "en" else JunkReason.name_ru
        source = Source.name_en if locale == "en" else Source.name_ru
        by_status = self._by(scope, Lead.status_code)
        failure = case((LeadStatus.semantics == StatusSemantics.FAILURE, by_status.c.n), else_=0)
        total, junk_total = (
            await session.execute(
                select(func.coalesce(func.sum(by_status.c.n), 0), func.coalesce(func.sum(failure), 0))
                .select_from(by_status)
                .join(LeadStatus, LeadStatus.code == by_status.c.status_code)
            )
        ).one()
        failed_codes = select(LeadStatus.code).where(LeadStatus.semantics == StatusSemantics.FAILURE)
        failed = [*scope, Lead.status_code.in_(failed_codes)]
        rows: list[Row] = []
        groups: tuple[tuple[str, Any, Any, Any], ...] = (
            (N_("Manager"), Lead.assignee_id, User.name, (User, User.id)),
            (N_("Source"), Lead.source_code, source, (Source, Source.code)),
        )
        for label, key, name, (lookup, lookup_key) in groups:
            counts = self._by(failed, key.label("who"), Lead.junk_reason_code)
            query = (
                select(name, reason, counts.c.n)
                .select_from(counts)
                .outerjoin(lookup, lookup_key == counts.c.who)
                .outerjoin(JunkReason, JunkReason.code == counts.c.junk_reason_code)
                .order_by(counts.c.n.desc())
            )
            rows += _junk_rows(label, await session.execute(query), junk_total)
        return Report(
            ReportName.JUNK,
            (N_("Name"), N_("By"), N_("Reason"), N_("Leads"), N_("Of junk %")),
            rows,
            {"leads": total, "junk": junk_total, "junk_rate": share(junk_total, total)},
        )

    async def _speed(self, session: AsyncSession, scope: list[ColumnElement[bool]], locale: str) -> Report:
        """Minutes from creation to the first action and to assignment: median and 90th percentile per
        manager (nearest rank). SQLite can neither hash-group nor compute percentiles, and sorting a
        million durations takes seconds; so each manager's durations are counted first, then the k-th
        one is read from an index ordered by (manager, duration), from whichever end is nearer."""
        durations = (Lead.first_action_seconds, Lead.take_seconds)
        counts = (
            await session.execute(
                select(Lead.assignee_id, *(func.count(seconds) for seconds in durations))
                .where(*scope)
                .group_by(Lead.assignee_id)
            )
        ).all()
        people = [assignee for assignee, *numbers in counts if any(numbers) and assignee is not None]
        named = select(User.id, User.name).where(User.id.in_(people))
        names: dict[int | None, str] = {row.id: row.name for row in await session.execute(named)}
        rows: list[Row] = []
        for assignee, *numbers in counts:
            if not any(numbers):
                continue
            ranks = [
                _nth(scope, assignee, seconds, percent, n)
                for seconds, n in zip(durations, numbers, strict=True)
                for percent in (50, 90)
            ]
            found = (await session.execute(select(*ranks))).one()
            rows.append(Row(names.get(assignee, N_("Unassigned")), tuple(_minutes(value) for value in found)))
        columns = (N_("Manager"), N_("1st action median, min"), N_("1st action p90, min"))
        return Report(
            ReportName.SPEED,
            (*columns, N_("Assignment median, min"), N_("Assignment p90, min")),
            sorted(rows, key=lambda row: row.label),
        )

    async def _repeat(self, session: AsyncSession, scope: list[ColumnElement[bool]], locale: str) -> Report:
        source = Source.name_en if locale == "en" else Source.name_ru
        counts = self._by(
            scope,
            Lead.source_code,
            repeat=func.coalesce(func.sum(case((Lead.is_repeat, 1), else_=0)), 0),
        )
        query = (
            select(source, counts.c.n, counts.c.repeat)
            .select_from(counts)
            .join(Source, Source.code == counts.c.source_code)
            .order_by(counts.c.n.desc())
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


def _per_status(counts: Any, locale: str) -> Select[Any]:
    """The counts and sums per (status, currency) with the status's name, in directory order."""
    name = LeadStatus.name_en if locale == "en" else LeadStatus.name_ru
    return (
        select(LeadStatus.code, name, counts.c.currency, counts.c.n, counts.c.amount)
        .select_from(counts)
        .join(LeadStatus, LeadStatus.code == counts.c.status_code)
        .order_by(LeadStatus.sort)
    )


def _junk_rows(label: str, found: Iterable[Any], junk_total: int) -> list[Row]:
    """(name, reason, count) rows with each name's reasons together, the name with most junk first."""
    per_name: dict[str | None, list[Row]] = {}
    for who, why, n in found:
        row = Row(who or N_("Unassigned"), (label, why or N_("No reason"), n, share(n, junk_total)))
        per_name.setdefault(who, []).append(row)
    groups = sorted(per_name.values(), key=lambda group: -sum(row.values[2] for row in group))
    return [row for group in groups for row in group]
