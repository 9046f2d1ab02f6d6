"""/report in the bot and the weekly summary."""

from __future__ import annotations

from datetime import timedelta

from leadbot.app import Application
from leadbot.clock import FrozenClock
from leadbot.services.lead_input import LeadDraft
from tests.conftest import START, at
from tests.fakes.telegram import FakeTelegram, User


async def seed(app: Application, anna_user: User) -> None:
    anna = await app.services.users.actor(anna_user.id)
    for number in range(3):
        outcome = await app.services.leads.create(LeadDraft(name=f"Клиент {number}", source_code="CALL"))
        assert outcome.lead is not None
        await app.services.leads.take(outcome.lead.id, anna)
    await app.services.leads.create(LeadDraft(name="Ничей", source_code="WEB"))


async def test_report_menu_period_table_and_chart(
    app: Application, telegram: FakeTelegram, anna_user: User, sveta_user: User
) -> None:
    await seed(app, anna_user)
    mark = telegram.mark()
    await telegram.send_message(sveta_user, "/report")
    menu = await telegram.reply_to(sveta_user.id, after=mark)
    mark = telegram.mark()
    await telegram.press(sveta_user, menu, "By manager")
    await telegram.wait_for(lambda c: c.method == "editMessageReplyMarkup" and c.seq >= mark)
    mark = telegram.mark()
    await telegram.press(sveta_user, menu, "This month")
    table = await telegram.reply_to(sveta_user.id, after=mark)
    assert "<pre>" in table.text and "Anna" in table.text and "leads: 4" in table.text
    photo = await telegram.reply_to(sveta_user.id, method="sendPhoto", after=mark)
    assert photo.params["_photo_bytes"].startswith(b"\x89PNG")


async def test_a_manager_gets_own_figures_for_typed_dates(
    app: Application, telegram: FakeTelegram, anna_user: User, boris_user: User
) -> None:
    await seed(app, anna_user)
    mark = telegram.mark()
    await telegram.send_message(boris_user, "/report")
    menu = await telegram.reply_to(boris_user.id, after=mark)
    await telegram.press(boris_user, menu, "По источникам")
    await telegram.wait_for(lambda c: c.method == "editMessageReplyMarkup" and c.seq >= mark)
    mark = telegram.mark()
    await telegram.press(boris_user, menu, "Даты")
    await telegram.reply_to(boris_user.id, after=mark)
    mark = telegram.mark()
    await telegram.send_message(boris_user, "31.12-01.01")
    assert "период" in (await telegram.reply_to(boris_user.id, after=mark)).text
    mark = telegram.mark()
    await telegram.send_message(boris_user, f"{START:%d.%m}-{START + timedelta(days=6):%d.%m}")
    table = await telegram.reply_to(boris_user.id, after=mark)
    assert "лидов: 0" in table.text  # Boris has none of these leads


async def test_weekly_summary_on_monday_morning(
    app: Application, telegram: FakeTelegram, clock: FrozenClock, anna_user: User, sveta_user: User
) -> None:
    await seed(app, anna_user)  # created on Monday, START
    clock.set(at(7, 6, 30))  # the next Monday, 09:30 in Moscow: the scheduler's check follows the clock
    summary = (await telegram.wait_for(lambda c: c.chat_id == sveta_user.id and "Прошлая неделя" in c.text))[
        0
    ]
    week = f"{START:%d.%m}–{START + timedelta(days=6):%d.%m.%Y}"
    assert week in summary.text and "Anna" in summary.text
    assert await app.services.nudges.send_weekly_summaries() == 0  # Sveta, the only boss, has hers
    clock.advance(timedelta(days=1))
    assert await app.services.nudges.send_weekly_summaries() == 0
