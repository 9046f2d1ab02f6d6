"""Dialogs survive a restart and expire when abandoned; the nightly housekeeping is scheduled."""

from datetime import timedelta

from db.enums import Role
from leadbot.app import Application
from leadbot.clock import FrozenClock
from leadbot.config import Settings
from leadbot.services.dialogs import DIALOG_TTL
from leadbot.services.lead_input import LeadDraft
from tests.fakes.telegram import FakeTelegram, Person, User

ANNA = User(3001, "Anna", language_code="ru")


async def test_a_restart_keeps_the_asked_comment_and_the_half_typed_lead(
    settings: Settings, telegram: FakeTelegram, clock: FrozenClock
) -> None:
    configured = settings.model_copy(update={"telegram_api_url": telegram.base_url})
    anna = telegram.person(ANNA)
    async with Application(configured, clock) as first:
        await first.services.users.add(ANNA.id, Role.MANAGER, "Anna")
        await first.services.leads.create(LeadDraft(name="Иван Петров", phones=["+79161234567"]))
        card = await anna.says("/lead 1")
        assert "комментарий" in (await anna.choose(card, "Комментарий")).text

    async with Application(configured, clock) as second:
        saved = await anna.says("Перезвонить после обеда")
        assert "Добавлено к лиду #1" in saved.text
        history = await second.services.history.of_lead(1)
        assert ("commented", "Перезвонить после обеда") in [(e.action, e.new) for e in history.entries]

        assert "Кто клиент" in (await anna.says("/new")).text
        assert "телефон" in (await anna.says("Мария Сидорова")).text.lower()

    async with Application(configured, clock):
        assert "E-mail" in (await anna.says("8 (903) 765-43-21")).text


async def test_a_question_left_for_a_day_is_not_answered_by_the_next_message(
    app: Application, telegram: FakeTelegram, clock: FrozenClock, anna: Person
) -> None:
    await app.services.leads.create(LeadDraft(name="Иван Петров", phones=["+79161234567"]))
    card = await anna.says("/lead 1")
    await anna.choose(card, "Комментарий")
    clock.advance(DIALOG_TTL + timedelta(minutes=1))
    reply = await anna.says("Привет")
    assert "ничего не сохранил" in reply.text
    history = await app.services.history.of_lead(1)
    assert "commented" not in [e.action for e in history.entries]


async def test_housekeeping_is_scheduled_for_three_at_night(app: Application) -> None:
    nightly = app.scheduler.next_run("nightly")
    assert nightly is not None
    local = nightly.astimezone(app.services.ctx.settings.zone)
    assert (local.hour, local.minute) == (3, 0)
