"""A lead's history reads in the reader's language and time zone: names instead of ids and codes."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_datetime

from db.enums import ActivityKind
from db.models import Contact
from leadbot.app import Application
from leadbot.clock import FrozenClock
from leadbot.services.calls import CallEvent, CallStatus, Direction
from leadbot.services.leads import LeadEdit
from tests.conftest import START, at
from tests.fakes.telegram import Call, FakeTelegram, User

MOSCOW = ZoneInfo("Europe/Moscow")
YEKATERINBURG = ZoneInfo("Asia/Yekaterinburg")  # +05:00


def clock_text(moment: datetime, zone: ZoneInfo, locale: str) -> str:
    return format_datetime(moment.astimezone(zone), "d MMM HH:mm", locale=locale)


async def work_on_the_lead(app: Application, lead_id: int) -> None:
    """Anna takes the lead, works on it, plans a call (written with Moscow's offset) and junks it."""
    anna = await app.services.users.actor(3001)
    await app.services.leads.take(lead_id, anna)
    await app.services.leads.change_status(lead_id, "IN_PROCESS", anna)
    await app.services.leads.edit(lead_id, LeadEdit(amount="250000", source_code="ADVERTISING"), anna)
    await app.services.activities.plan(lead_id, ActivityKind.CALL, at(2, 8).astimezone(MOSCOW), anna)
    await app.services.leads.junk(lead_id, "SPAM", anna)


async def history_of(telegram: FakeTelegram, reader: User, alert: Call) -> str:
    return (await telegram.person(reader).choose(alert, "📜")).text


async def test_history_names_people_statuses_and_reasons_on_moscow_time(
    app: Application, telegram: FakeTelegram, lead_alert: Call, anna_user: User
) -> None:
    await work_on_the_lead(app, 1)
    text = await history_of(telegram, anna_user, lead_alert)
    assert "ответственный — → Anna" in text
    assert "статус Новый → В работе" in text
    assert "источник Другое → Реклама" in text
    assert "сумма — → 250\u00a0000" in text
    assert "причина брака — → Спам" in text
    assert f"закрыт — → {clock_text(START, MOSCOW, 'ru')}" in text  # stored in UTC
    assert f"→ {clock_text(at(2, 8), MOSCOW, 'ru')}" in text  # stored with +03:00
    assert clock_text(at(2, 8), MOSCOW, "ru").endswith("11:00")
    for raw in ("IN_PROCESS", "SPAM", "ADVERTISING", "+03:00", "+00:00", "T11:00", "250000"):
        assert raw not in text


async def test_history_in_english_on_the_readers_own_clock(
    app: Application,
    telegram: FakeTelegram,
    clock: FrozenClock,
    lead_alert: Call,
    anna_user: User,
    sveta_user: User,
) -> None:
    await app.services.users.set_language(sveta_user.id, "en")
    await app.services.users.set_timezone(sveta_user.id, "Asia/Yekaterinburg")
    async with app.services.ctx.transaction() as session:
        session.add(Contact(name="Ivan Petrov"))
    anna = await app.services.users.actor(anna_user.id)
    await app.services.conversion.link(1, anna, contact_id=1)
    clock.advance(timedelta(minutes=5))
    await app.services.calls.handle(
        CallEvent("+79161234567", "+74950000000", Direction.IN, CallStatus.MISSED, duration=0)
    )
    await work_on_the_lead(app, 1)
    text = await history_of(telegram, sveta_user, lead_alert)
    assert "Anna · took the lead: assignee — → Anna" in text
    assert "status New → In progress" in text
    assert "contact — → #1 Ivan Petrov" in text and "repeat no → yes" in text
    assert "system · a call was logged: incoming — → missed, 0 sec" in text
    assert "amount — → 250,000" in text and "junk reason — → Spam" in text
    assert f"call — → {clock_text(at(2, 8), YEKATERINBURG, 'en')}" in text
    assert f"closed — → {clock_text(START + timedelta(minutes=5), YEKATERINBURG, 'en')}" in text
    assert clock_text(at(2, 8), YEKATERINBURG, "en").endswith("13:00")
    for raw in ("IN_PROCESS", "SPAM", "True", "+03:00", "+00:00", "← missed"):
        assert raw not in text
