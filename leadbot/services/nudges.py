"""Pushes nobody asked for but everybody needs: speed-to-lead nudges and escalations, morning digests.

Speed to lead: a lead still in the first status with nobody on it after SLA_TAKE_MINUTES working
minutes is announced again in the group; after SLA_ESCALATE_MINUTES the supervisors hear of it
personally. Each is sent once (claimed by a conditional UPDATE). Outside WORK_HOURS the clock stops
and nothing is sent.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import Role, StatusSemantics
from db.models import Lead, LeadStatus, User
from leadbot.services import outbox
from leadbot.services.context import ServiceContext
from leadbot.work_hours import MAX_DAYS, working_minutes

DIGEST_FROM, DIGEST_UNTIL = time(9), time(10)  # sent once a day in this local window


class NudgeService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    async def check_speed_to_lead(self) -> tuple[int, int]:
        """Nudge and escalate what is due now; returns how many of each were queued."""
        settings = self._ctx.settings
        take, escalate, hours, zone = (
            settings.sla_take_minutes,
            settings.sla_escalate_minutes,
            settings.hours,
            settings.zone,
        )
        now = self._ctx.clock.now()
        if not (take or escalate) or (hours is not None and not hours.is_open(now, zone)):
            return 0, 0
        nudged = escalated = 0
        async with self._ctx.reading() as session:
            first_status = await session.scalar(
                select(LeadStatus.code)
                .where(LeadStatus.semantics == StatusSemantics.PROCESS, LeadStatus.active.is_(True))
                .order_by(LeadStatus.sort)
                .limit(1)
            )
            waiting = (
                await session.execute(
                    select(Lead.id, Lead.created_at, Lead.sla_nudged_at).where(
                        Lead.status_code == first_status,
                        Lead.assignee_id.is_(None),
                        Lead.sla_escalated_at.is_(None),
                        Lead.created_at >= now - timedelta(days=MAX_DAYS),
                    )
                )
            ).all()
        for lead_id, created_at, nudged_at in waiting:
            minutes = working_minutes(hours, created_at, now, zone)
            if take and minutes >= take and nudged_at is None and settings.alert_chat_id is not None:
                nudged += await self._nudge(lead_id, int(minutes), settings.alert_chat_id)
            if escalate and minutes >= escalate:
                escalated += await self._escalate(lead_id, int(minutes))
        return nudged, escalated

    async def _nudge(self, lead_id: int, minutes: int, chat_id: int) -> int:
        async with self._ctx.transaction() as session:
            if not await self._mark(session, lead_id, "sla_nudged_at"):
                return 0
            outbox.message(
                session, outbox.OutboxKind.NOTICE, chat_id, lead_id, key="sla_nudge", minutes=minutes
            )
            return 1

    async def _escalate(self, lead_id: int, minutes: int) -> int:
        async with self._ctx.transaction() as session:
            if not await self._mark(session, lead_id, "sla_escalated_at"):
                return 0
            bosses = list(
                await session.scalars(
                    select(User.telegram_id).where(User.active.is_(True), User.role == Role.SUPERVISOR)
                )
            ) or list(
                await session.scalars(
                    select(User.telegram_id).where(User.active.is_(True), User.role == Role.ADMIN)
                )
            )
            for chat_id in bosses:
                outbox.message(
                    session, outbox.OutboxKind.NOTICE, chat_id, lead_id, key="sla_escalation", minutes=minutes
                )
            return 1

    async def _mark(self, session: AsyncSession, lead_id: int, field: str) -> bool:
        """Set the lead's mark if nobody has: the one caller that sets it sends the message."""
        claimed = await session.execute(
            update(Lead)
            .where(Lead.id == lead_id, getattr(Lead, field).is_(None))
            .values({field: self._ctx.clock.now()})
            .execution_options(synchronize_session=False)
        )
        return claimed.rowcount == 1  # type: ignore[attr-defined]

    async def send_morning_digests(self) -> int:
        """Queue each active user's morning digest once a local day, between 09:00 and 10:00 their time."""
        settings, now = self._ctx.settings, self._ctx.clock.now()
        hours = settings.hours
        queued = 0
        async with self._ctx.reading() as session:
            users = (await session.scalars(select(User).where(User.active.is_(True)))).all()
        for user in users:
            local = now.astimezone(ZoneInfo(user.timezone or settings.timezone))
            if not (DIGEST_FROM <= local.time() < DIGEST_UNTIL) or user.digest_sent_on == local.date():
                continue
            if hours is not None and local.weekday() not in hours.days:
                continue
            queued += await self._claim_digest(user.id, user.telegram_id, local.date())
        return queued

    async def send_weekly_summaries(self) -> int:
        """Queue last week's figures for each supervisor and admin, Monday 09:00-10:00 their time."""
        settings, now = self._ctx.settings, self._ctx.clock.now()
        queued = 0
        async with self._ctx.reading() as session:
            bosses = (
                await session.scalars(
                    select(User).where(User.active.is_(True), User.role.in_([Role.SUPERVISOR, Role.ADMIN]))
                )
            ).all()
        for user in bosses:
            local = now.astimezone(ZoneInfo(user.timezone or settings.timezone))
            if local.weekday() != 0 or not (DIGEST_FROM <= local.time() < DIGEST_UNTIL):
                continue
            if user.weekly_sent_on != local.date():
                queued += await self._claim_digest(user.id, user.telegram_id, local.date(), weekly=True)
        return queued

    async def _claim_digest(self, user_id: int, chat_id: int, day: date, *, weekly: bool = False) -> int:
        """Mark the day as done for this user (once, whoever runs) and queue the message."""
        column = User.weekly_sent_on if weekly else User.digest_sent_on
        async with self._ctx.transaction() as session:
            claimed = await session.execute(
                update(User)
                .where(User.id == user_id, column.is_(None) | (column != day))
                .values({column.key: day})
            )
            if claimed.rowcount != 1:  # type: ignore[attr-defined]
                return 0
            kind = outbox.OutboxKind.WEEKLY_SUMMARY if weekly else outbox.OutboxKind.MORNING_DIGEST
            outbox.message(session, kind, chat_id, user_id=user_id)
            return 1


def last_week(now: datetime, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """[Monday 00:00, next Monday 00:00) of the week before the one `now` is in, in `zone`."""
    today = now.astimezone(zone).date()
    monday = today - timedelta(days=today.weekday())
    start = datetime.combine(monday - timedelta(days=7), time(0), tzinfo=zone)
    return start, datetime.combine(monday, time(0), tzinfo=zone)


def end_of_local_day(now: datetime, zone: ZoneInfo) -> datetime:
    local = now.astimezone(zone)
    return datetime.combine(local.date() + timedelta(days=1), time(0), tzinfo=zone)
