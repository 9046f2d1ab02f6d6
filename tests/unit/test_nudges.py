from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from db.models import Outbox
from leadbot.actor import Actor
from leadbot.clock import FrozenClock
from leadbot.config import Settings
from leadbot.database import open_database
from leadbot.services.lead_input import LeadDraft
from leadbot.services.registry import Services
from tests.conftest import ALERT_CHAT_ID, at


async def notices(services: Services, kind: str = "notice") -> list[tuple[int | None, str]]:
    async with services.ctx.reading() as session:
        rows = await session.scalars(select(Outbox).where(Outbox.kind == kind).order_by(Outbox.id))
        return [(r.chat_id, r.payload.get("key", "")) for r in rows]


async def test_untaken_lead_is_nudged_then_escalated_once(
    services: Services, clock: FrozenClock, supervisor: Actor, anna: Actor
) -> None:
    await services.leads.create(LeadDraft(name="Ivan"))
    clock.advance(timedelta(minutes=4))
    assert await services.nudges.check_speed_to_lead() == (0, 0)
    clock.advance(timedelta(minutes=1))
    assert await services.nudges.check_speed_to_lead() == (1, 0)
    assert await services.nudges.check_speed_to_lead() == (0, 0)
    clock.advance(timedelta(minutes=25))
    assert await services.nudges.check_speed_to_lead() == (0, 1)
    assert await notices(services) == [
        (ALERT_CHAT_ID, "sla_nudge"),
        (supervisor.telegram_id, "sla_escalation"),
    ]
    clock.advance(timedelta(hours=1))
    assert await services.nudges.check_speed_to_lead() == (0, 0)


async def test_a_taken_lead_is_not_nudged(services: Services, clock: FrozenClock, anna: Actor) -> None:
    outcome = await services.leads.create(LeadDraft(name="Ivan"))
    assert outcome.lead is not None
    await services.leads.take(outcome.lead.id, anna)
    clock.advance(timedelta(hours=1))
    assert await services.nudges.check_speed_to_lead() == (0, 0)


async def test_silence_outside_working_hours(settings: Settings, supervisor: Actor) -> None:
    friday_evening = datetime(2026, 11, 27, 15, 50, tzinfo=UTC)  # 18:50 in Moscow
    clock = FrozenClock(friday_evening)
    configured = settings.model_copy(update={"work_hours": "09:00-19:00 Mon-Fri"})
    async with open_database(configured, clock) as ctx:
        services = Services.build(ctx)
        await services.leads.create(LeadDraft(name="Late caller"))
        clock.advance(timedelta(minutes=30))  # 19:20 Friday: closed, and only 10 working minutes passed
        assert await services.nudges.check_speed_to_lead() == (0, 0)
        clock.set(datetime(2026, 11, 28, 9, 0, tzinfo=UTC))  # Saturday
        assert await services.nudges.check_speed_to_lead() == (0, 0)
        clock.set(datetime(2026, 11, 30, 6, 1, tzinfo=UTC))  # Monday 09:01: 11 working minutes
        assert await services.nudges.check_speed_to_lead() == (1, 0)
        clock.set(datetime(2026, 11, 30, 6, 21, tzinfo=UTC))  # Monday 09:21: 31 working minutes
        assert await services.nudges.check_speed_to_lead() == (0, 1)


async def test_sla_off_when_zero(settings: Settings, clock: FrozenClock) -> None:
    configured = settings.model_copy(update={"sla_take_minutes": 0, "sla_escalate_minutes": 0})
    async with open_database(configured, clock) as ctx:
        services = Services.build(ctx)
        await services.leads.create(LeadDraft(name="Ivan"))
        clock.advance(timedelta(hours=2))
        assert await services.nudges.check_speed_to_lead() == (0, 0)


async def test_morning_digest_at_nine_in_each_users_zone(
    services: Services, clock: FrozenClock, anna: Actor, boris: Actor
) -> None:
    await services.users.set_timezone(boris.telegram_id, "Asia/Yekaterinburg")
    clock.set(at(1, 4, 30))  # 09:30 in Yekaterinburg, 07:30 in Moscow
    assert await services.nudges.send_morning_digests() == 1
    clock.set(at(1, 6, 5))  # 09:05 in Moscow
    sent = await services.nudges.send_morning_digests()
    assert sent >= 1  # anna (and the other Moscow users)
    assert await services.nudges.send_morning_digests() == 0
    chats = [chat for chat, _key in await notices(services, "morning_digest")]
    assert chats.count(boris.telegram_id) == 1 and chats.count(anna.telegram_id) == 1
