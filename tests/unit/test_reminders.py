import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import select

from db.enums import ActivityKind
from db.models import Outbox
from leadbot.actor import Actor
from leadbot.clock import FrozenClock
from leadbot.errors import ActivityClosed, Forbidden, TimeInPast
from leadbot.services.lead_input import LeadDraft
from leadbot.services.registry import Services


async def reminders_sent(services: Services) -> list[dict]:
    async with services.ctx.reading() as session:
        rows = await session.scalars(select(Outbox).where(Outbox.kind == "reminder").order_by(Outbox.id))
        return [{"chat": r.chat_id, **r.payload} for r in rows]


async def a_lead(services: Services, anna: Actor) -> int:
    outcome = await services.leads.create(
        LeadDraft(name="Ivan", phones=["+79161234567"], assignee_id=anna.id)
    )
    assert outcome.lead is not None
    return outcome.lead.id


async def test_a_reminder_fires_once_at_its_time(services: Services, anna: Actor, clock: FrozenClock) -> None:
    lead_id = await a_lead(services, anna)
    activity = await services.activities.plan(
        lead_id, ActivityKind.CALL, clock.now() + timedelta(minutes=30), anna
    )
    assert await services.activities.fire_due() == 0
    clock.advance(timedelta(minutes=30))
    results = await asyncio.gather(*(services.activities.fire(activity.id) for _ in range(5)))
    assert results.count(True) == 1
    assert await reminders_sent(services) == [
        {"chat": anna.telegram_id, "activity_id": activity.id, "late": False}
    ]
    assert await services.activities.pending() == []


async def test_missed_reminders_fire_late_once(services: Services, anna: Actor, clock: FrozenClock) -> None:
    lead_id = await a_lead(services, anna)
    await services.activities.plan(lead_id, ActivityKind.MEETING, clock.now() + timedelta(minutes=5), anna)
    clock.advance(timedelta(hours=3))  # the bot was down
    assert await services.activities.fire_due() == 1
    assert await services.activities.fire_due() == 0
    assert [r["late"] for r in await reminders_sent(services)] == [True]


async def test_done_and_deleted_reminders_never_fire(
    services: Services, anna: Actor, clock: FrozenClock
) -> None:
    lead_id = await a_lead(services, anna)
    done = await services.activities.plan(
        lead_id, ActivityKind.CALL, clock.now() + timedelta(minutes=5), anna
    )
    gone = await services.activities.plan(
        lead_id, ActivityKind.TASK, clock.now() + timedelta(minutes=5), anna
    )
    await services.activities.done(done.id, anna, "agreed on a demo")
    await services.activities.delete(gone.id, anna)
    clock.advance(timedelta(minutes=10))
    assert await services.activities.fire_due() == 0
    with pytest.raises(ActivityClosed):
        await services.activities.done(done.id, anna)


async def test_snooze_moves_and_rearms(services: Services, anna: Actor, clock: FrozenClock) -> None:
    lead_id = await a_lead(services, anna)
    activity = await services.activities.plan(
        lead_id, ActivityKind.CALL, clock.now() + timedelta(minutes=5), anna
    )
    clock.advance(timedelta(minutes=5))
    assert await services.activities.fire(activity.id)
    await services.activities.snooze(activity.id, clock.now() + timedelta(minutes=15), anna)
    clock.advance(timedelta(minutes=14))
    assert await services.activities.fire_due() == 0
    clock.advance(timedelta(minutes=1))
    assert await services.activities.fire_due() == 1
    assert len(await reminders_sent(services)) == 2


async def test_reminder_rules(
    services: Services, anna: Actor, boris: Actor, supervisor: Actor, clock: FrozenClock
) -> None:
    lead_id = await a_lead(services, anna)
    with pytest.raises(TimeInPast):
        await services.activities.plan(lead_id, ActivityKind.CALL, clock.now() - timedelta(minutes=1), anna)
    with pytest.raises(Forbidden):  # boris cannot plan on anna's lead
        await services.activities.plan(lead_id, ActivityKind.CALL, clock.now() + timedelta(hours=1), boris)
    with pytest.raises(Forbidden):  # a manager cannot make someone else responsible
        await services.activities.plan(
            lead_id, ActivityKind.CALL, clock.now() + timedelta(hours=1), anna, responsible_id=boris.id
        )
    planned = await services.activities.plan(
        lead_id, ActivityKind.CALL, clock.now() + timedelta(hours=1), supervisor, responsible_id=anna.id
    )
    assert planned.responsible_id == anna.id
    with pytest.raises(Forbidden):
        await services.activities.done(planned.id, boris)


async def test_schedule_listener_hears_every_change(
    services: Services, anna: Actor, clock: FrozenClock
) -> None:
    heard: list[tuple[int, object]] = []
    services.activities.on_schedule_change(lambda activity_id, due: heard.append((activity_id, due)))
    lead_id = await a_lead(services, anna)
    due = clock.now() + timedelta(hours=1)
    activity = await services.activities.plan(lead_id, ActivityKind.CALL, due, anna)
    await services.activities.snooze(activity.id, due + timedelta(hours=1), anna)
    await services.activities.done(activity.id, anna)
    assert heard == [(activity.id, due), (activity.id, due + timedelta(hours=1)), (activity.id, None)]
