"""Calls, meetings and tasks planned on leads: the reminders. The database row is the source of truth;
the scheduler only mirrors pending rows (see leadbot/scheduling)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import ActivityKind
from db.models import Activity, User
from leadbot.actor import Actor
from leadbot.errors import ActivityClosed, Forbidden, InvalidValue, NotFound
from leadbot.i18n_marker import N_
from leadbot.permissions import Permission, allowed, require
from leadbot.services import outbox
from leadbot.services.context import ServiceContext
from leadbot.services.lead_input import clean_text
from leadbot.services.lead_tx import note_first_action
from leadbot.services.unit_of_work import UnitOfWork, unit_of_work
from leadbot.when import require_future

PLANNABLE = (ActivityKind.CALL, ActivityKind.MEETING, ActivityKind.TASK)
LATE_AFTER = timedelta(minutes=1)  # a reminder sent later than this after its time says it is late
ScheduleListener = Callable[[int, datetime | None], None]


class ActivityService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx
        self._listeners: list[ScheduleListener] = []

    def on_schedule_change(self, listener: ScheduleListener) -> None:
        """`listener(activity_id, due_at or None)` runs after a commit that changes what must fire when."""
        self._listeners.append(listener)

    def _changed(self, activity_id: int, due_at: datetime | None) -> None:
        for listener in self._listeners:
            listener(activity_id, due_at)

    async def plan(
        self,
        lead_id: int,
        kind: ActivityKind,
        due_at: datetime,
        by: Actor,
        *,
        note: str | None = None,
        responsible_id: int | None = None,
    ) -> Activity:
        if kind not in PLANNABLE:
            raise InvalidValue(field=N_("kind"), value=kind.value)
        require_future(due_at, self._ctx.clock.now())
        text = clean_text("comment", note)
        async with unit_of_work(self._ctx, by) as tx:
            lead = await tx.leads.get(lead_id)
            require(by, Permission.WORK, lead)
            responsible = await self._responsible(tx.session, by, responsible_id)
            activity = Activity(
                kind=kind,
                lead_id=lead.id,
                contact_id=lead.contact_id,
                responsible_id=responsible,
                created_by_id=by.id,
                note=text,
                due_at=due_at,
                created_at=self._ctx.clock.now(),
            )
            tx.session.add(activity)
            await note_first_action(tx.session, lead, activity.created_at)
            await tx.session.flush()
            self._log_on_lead(tx, activity, "planned", new=_minute(due_at))
        self._changed(activity.id, activity.due_at)
        return activity

    async def _responsible(self, session: AsyncSession, by: Actor, responsible_id: int | None) -> int:
        if responsible_id is None or responsible_id == by.id:
            return by.id
        require(by, Permission.ASSIGN)
        user = await session.get(User, responsible_id)
        if user is None or not user.active:
            raise NotFound(what=N_("User"), id=responsible_id)
        return user.id

    async def get(self, activity_id: int) -> Activity:
        async with self._ctx.reading() as session:
            activity = await session.get(Activity, activity_id)
        if activity is None or activity.kind not in PLANNABLE:
            raise NotFound(what=N_("Reminder"), id=activity_id)
        return activity

    async def _mine_open(self, session: AsyncSession, activity_id: int, by: Actor) -> Activity:
        activity = await session.get(Activity, activity_id)
        if activity is None or activity.kind not in PLANNABLE:
            raise NotFound(what=N_("Reminder"), id=activity_id)
        if activity.done:
            raise ActivityClosed()
        if activity.responsible_id != by.id and not allowed(by, Permission.ASSIGN):
            raise Forbidden()
        return activity

    async def done(self, activity_id: int, by: Actor, result: str | None = None) -> Activity:
        note = clean_text("comment", result)
        async with unit_of_work(self._ctx, by) as tx:
            activity = await self._mine_open(tx.session, activity_id, by)
            now = self._ctx.clock.now()
            activity.done, activity.done_at, activity.result = True, now, note
            self._log_on_lead(tx, activity, "done", new=note)
        self._changed(activity_id, None)
        return activity

    async def snooze(self, activity_id: int, until: datetime, by: Actor) -> Activity:
        require_future(until, self._ctx.clock.now())
        async with unit_of_work(self._ctx, by) as tx:
            activity = await self._mine_open(tx.session, activity_id, by)
            old = activity.due_at
            activity.due_at, activity.reminded_at = until, None
            self._log_on_lead(tx, activity, "snoozed", old=_minute(old), new=_minute(until))
        self._changed(activity_id, until)
        return activity

    async def delete(self, activity_id: int, by: Actor) -> None:
        async with unit_of_work(self._ctx, by) as tx:
            activity = await self._mine_open(tx.session, activity_id, by)
            self._log_on_lead(tx, activity, "deleted", old=_minute(activity.due_at))
            await tx.session.execute(delete(Activity).where(Activity.id == activity_id))
        self._changed(activity_id, None)

    def _log_on_lead(
        self,
        tx: UnitOfWork,
        activity: Activity,
        action: str,
        *,
        old: str | None = None,
        new: str | None = None,
    ) -> None:
        """A change of a reminder is a change of its lead: logged there, and the lead's cards refreshed."""
        if activity.lead_id is None:
            return
        tx.leads.log(activity.lead_id, action, field=activity.kind.value, old=old, new=new)
        tx.leads.refresh_cards(activity.lead_id, action)

    async def pending(self) -> Sequence[tuple[int, datetime]]:
        """Every reminder still to fire: what the scheduler loads at start."""
        async with self._ctx.reading() as session:
            rows = await session.execute(
                select(Activity.id, Activity.due_at).where(
                    Activity.done.is_(False), Activity.reminded_at.is_(None), Activity.due_at.is_not(None)
                )
            )
            return [(activity_id, due) for activity_id, due in rows if due is not None]

    async def fire(self, activity_id: int) -> bool:
        """Send the reminder if it is due and not sent yet: claimed by a conditional UPDATE and queued
        in the same transaction, so it goes out exactly once whoever calls (timer, start-up catch-up)."""
        now = self._ctx.clock.now()
        async with self._ctx.transaction() as session:
            activity = await self._claim(session, activity_id, now)
            if activity is None or activity.due_at is None:
                return False
            chat_id = await session.scalar(select(User.telegram_id).where(User.id == activity.responsible_id))
            if chat_id is not None:
                late = now - activity.due_at > LATE_AFTER
                outbox.message(
                    session,
                    outbox.OutboxKind.REMINDER,
                    chat_id,
                    activity.lead_id,
                    activity_id=activity.id,
                    late=late,
                )
            return True

    async def fire_due(self) -> int:
        """Fire every reminder whose time has come (at start-up: those missed while the bot was down)."""
        now = self._ctx.clock.now()
        due = [activity_id for activity_id, at in await self.pending() if at <= now]
        return sum([await self.fire(activity_id) for activity_id in due])

    async def _claim(self, session: AsyncSession, activity_id: int, now: datetime) -> Activity | None:
        claimed = await session.execute(
            update(Activity)
            .where(
                Activity.id == activity_id,
                Activity.done.is_(False),
                Activity.reminded_at.is_(None),
                Activity.due_at <= now,
            )
            .values(reminded_at=now)
        )
        if claimed.rowcount != 1:  # type: ignore[attr-defined]
            return None
        return await session.get(Activity, activity_id)

    async def agenda(self, user_id: int, until: datetime) -> Sequence[Activity]:
        """Open reminders of a user due before `until` (today's and overdue ones), earliest first."""
        async with self._ctx.reading() as session:
            rows = await session.scalars(
                select(Activity)
                .where(Activity.responsible_id == user_id, Activity.done.is_(False), Activity.due_at < until)
                .order_by(Activity.due_at)
            )
            return rows.all()


def _minute(moment: datetime | None) -> str | None:
    return moment.isoformat(timespec="minutes") if moment else None
