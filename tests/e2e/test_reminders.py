"""Reminders end to end: firing per time zone, Done/Snooze, restarts, the real timer, nudges, digests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from db.enums import ActivityKind, Role
from leadbot.app import Application
from leadbot.clock import FrozenClock
from leadbot.config import Settings
from leadbot.services.lead_input import LeadDraft
from leadbot.when import Preset, preset_time
from tests.conftest import ALERT_CHAT_ID, at, ru_day
from tests.fakes.telegram import Call, FakeTelegram, Person, User

ANNA = User(3001, "Anna", language_code="ru")  # for the tests that start the application themselves


def is_reminder(call: Call) -> bool:
    return "Готово" in call.labels


async def plan_tomorrow_ten(app: Application, user: Person, name: str) -> int:
    me = await app.services.users.actor(user.id)
    outcome = await app.services.leads.create(LeadDraft(name=name, assignee_id=me.id))
    assert outcome.lead is not None
    zone = ZoneInfo(me.timezone) if me.timezone else app.services.ctx.settings.zone
    due = preset_time(Preset.TOMORROW_10, app.services.ctx.clock.now(), zone)
    activity = await app.services.activities.plan(
        outcome.lead.id, ActivityKind.CALL, due, me, note="обсудить счёт"
    )
    return activity.id


async def test_reminders_fire_at_ten_in_each_users_zone(
    app: Application, telegram: FakeTelegram, clock: FrozenClock, anna: Person, boris: Person
) -> None:
    await app.services.users.set_timezone(boris.id, "Asia/Yekaterinburg")
    await plan_tomorrow_ten(app, anna, "Клиент Анны")
    await plan_tomorrow_ten(app, boris, "Клиент Бориса")

    clock.set(at(1, 5))  # 10:00 in Yekaterinburg, 08:00 in Moscow: the scheduler wakes with the clock
    boris_reminder = await boris.receives(is_reminder)
    assert await app.services.activities.fire_due() == 0  # the scheduler sent it, once
    assert (
        "Звонок" in boris_reminder.text
        and "Клиент Бориса" in boris_reminder.text
        and "10:00" in boris_reminder.text
    )
    assert not [c for c in telegram.sent("sendMessage", anna.id) if is_reminder(c)]

    clock.set(at(1, 7))  # 10:00 in Moscow
    anna_reminder = await anna.receives(is_reminder)
    assert "обсудить счёт" in anna_reminder.text and "С опозданием" not in anna_reminder.text


async def test_snooze_then_done_with_a_result(
    app: Application, telegram: FakeTelegram, clock: FrozenClock, anna: Person
) -> None:
    await plan_tomorrow_ten(app, anna, "Клиент")
    clock.set(at(1, 7))
    reminder = await anna.receives(is_reminder)

    assert f"Перенесено на {ru_day(at(1, 7))} 10:15" in (await anna.press(reminder, "15 мин")).text
    clock.advance(timedelta(minutes=14))
    assert await app.services.activities.fire_due() == 0
    clock.advance(timedelta(minutes=1))
    again = await anna.receives(is_reminder, count=2)

    question = await anna.choose(again, "Готово")
    assert "Как прошло" in question.text
    assert "Добавлено к лиду #1" in (await anna.says("Договорились о встрече")).text
    history = await app.services.history.of_lead(1)
    assert [e.action for e in history.entries][-3:] == ["snoozed", "done", "commented"]
    clock.advance(timedelta(days=1))
    assert await app.services.activities.fire_due() == 0


async def test_restart_sends_missed_reminders_once_and_keeps_future_ones(
    settings: Settings, telegram: FakeTelegram, clock: FrozenClock
) -> None:
    configured = settings.model_copy(update={"telegram_api_url": telegram.base_url})
    async with Application(configured, clock) as first:
        anna = await first.services.users.add(ANNA.id, Role.MANAGER, "Anna")
        outcome = await first.services.leads.create(LeadDraft(name="Клиент", assignee_id=anna.id))
        assert outcome.lead is not None
        now = clock.now()
        await first.services.activities.plan(
            outcome.lead.id, ActivityKind.CALL, now + timedelta(minutes=10), anna
        )
        await first.services.activities.plan(
            outcome.lead.id, ActivityKind.TASK, now + timedelta(days=2), anna
        )
        assert first.scheduler.reminder_jobs == 2
    clock.advance(timedelta(hours=1))  # the bot was down when the call was due
    async with Application(configured, clock) as second:
        late = await telegram.person(ANNA).receives(is_reminder)
        assert "С опозданием" in late.text
        assert second.scheduler.reminder_jobs == 1
        assert await second.services.activities.fire_due() == 0
    async with Application(configured, clock):
        pass
    assert len([c for c in telegram.sent("sendMessage", ANNA.id) if is_reminder(c)]) == 1


async def test_the_real_timer_fires_a_reminder(settings: Settings, telegram: FakeTelegram) -> None:
    configured = settings.model_copy(update={"telegram_api_url": telegram.base_url})
    async with Application(configured) as app:  # system clock: APScheduler's own timing
        anna = await app.services.users.add(ANNA.id, Role.MANAGER, "Anna")
        outcome = await app.services.leads.create(LeadDraft(name="Клиент", assignee_id=anna.id))
        assert outcome.lead is not None
        due = datetime.now(UTC) + timedelta(seconds=1)
        await app.services.activities.plan(outcome.lead.id, ActivityKind.MEETING, due, anna)
        gone = await app.services.activities.plan(outcome.lead.id, ActivityKind.TASK, due, anna)
        await app.services.activities.delete(gone.id, anna)
        reminder = await telegram.person(ANNA).receives(is_reminder, within=10)
        assert "Встреча" in reminder.text
        assert len([c for c in telegram.sent("sendMessage", ANNA.id) if is_reminder(c)]) == 1
        assert app.scheduler.reminder_jobs == 0


async def test_speed_to_lead_nudge_and_escalation(
    app: Application, telegram: FakeTelegram, clock: FrozenClock, anna: Person, sveta: Person
) -> None:
    await app.services.leads.create(LeadDraft(name="Срочный"))
    clock.advance(timedelta(minutes=6))  # the scheduler's speed-to-lead check follows the clock
    nudge = (
        await telegram.wait_for(lambda c: c.chat_id == ALERT_CHAT_ID and "без ответственного" in c.text)
    )[0]
    assert "Срочный" in nudge.text
    clock.advance(timedelta(minutes=30))
    escalation = await sveta.receives(lambda c: "никто не взял" in c.text)
    assert "Открыть лид" in escalation.labels
    assert "ваш" in (await anna.press(nudge, "Взять")).text


async def test_morning_digest(
    app: Application, telegram: FakeTelegram, clock: FrozenClock, anna: Person
) -> None:
    await plan_tomorrow_ten(app, anna, "Клиент")
    clock.set(at(1, 6))  # 09:00 in Moscow: the scheduler's digest check follows the clock
    digest = await anna.receives(lambda c: "Доброе утро" in c.text)
    assert "10:00 📞 Звонок · #1 Клиент" in digest.text
    assert "Ваших открытых лидов: 1" in digest.text


async def test_reschedule_by_typing_a_time(
    app: Application, telegram: FakeTelegram, clock: FrozenClock, anna: Person
) -> None:
    activity_id = await plan_tomorrow_ten(app, anna, "Клиент")
    clock.set(at(1, 7))
    reminder = await anna.receives(is_reminder)
    await anna.choose(reminder, "Другое время")
    assert f"{ru_day(at(2, 12))} 15:00" in (await anna.says("завтра 15:00")).text
    activity = await app.services.activities.get(activity_id)
    assert activity.due_at == at(2, 12)
