"""/report in the bot and the weekly summary: figures laid out for a phone, then a chart."""

from __future__ import annotations

import html
import re
from datetime import timedelta

from babel.dates import format_interval

from handlers.report_text import WIDTH
from leadbot.app import Application
from leadbot.clock import FrozenClock
from leadbot.services.lead_input import LeadDraft
from tests.conftest import START, at
from tests.fakes.telegram import Call, FakeTelegram, User


async def seed(app: Application, anna_user: User) -> None:
    anna = await app.services.users.actor(anna_user.id)
    for number in range(3):
        outcome = await app.services.leads.create(LeadDraft(name=f"Клиент {number}", source_code="CALL"))
        assert outcome.lead is not None
        await app.services.leads.take(outcome.lead.id, anna)
    await app.services.leads.create(LeadDraft(name="Ничей", source_code="WEB"))


async def ask(telegram: FakeTelegram, user: User, report: str, period: str) -> int:
    """/report, a report's button, then a period's; the mark after which the answer comes."""
    mark = telegram.mark()
    await telegram.send_message(user, "/report")
    menu = await telegram.reply_to(user.id, after=mark)
    mark = telegram.mark()
    await telegram.press(user, menu, report)
    await telegram.wait_for(lambda c: c.method == "editMessageReplyMarkup" and c.seq >= mark)
    mark = telegram.mark()
    await telegram.press(user, menu, period)
    return mark


def figure_lines(message: Call) -> list[str]:
    """The lines a reader sees, but for those with bold in them (titles and names, which may wrap)."""
    lines = [line for line in message.text.splitlines() if "<b>" not in line]
    return [html.unescape(re.sub(r"<[^>]+>", "", line)) for line in lines]


async def test_report_menu_period_blocks_and_chart(
    app: Application, telegram: FakeTelegram, anna_user: User, sveta_user: User
) -> None:
    await seed(app, anna_user)
    mark = await ask(telegram, sveta_user, "By manager", "This month")
    answer = await telegram.reply_to(sveta_user.id, after=mark)
    assert answer.text.startswith("<b>By manager: ") and "<pre>" not in answer.text
    assert "\nleads: 4\n" in answer.text
    assert "<b>Anna</b>\nleads: 3 (75%) · new: 3\nin work: 0 · converted: 0 (0%)\n" in answer.text
    assert max(len(line) for line in figure_lines(answer)) <= WIDTH
    photo = await telegram.reply_to(sveta_user.id, method="sendPhoto", after=mark)
    assert photo.params["_photo_bytes"].startswith(b"\x89PNG")


async def test_an_empty_report_says_so_and_sends_no_chart(
    app: Application, telegram: FakeTelegram, sveta_user: User
) -> None:
    mark = await ask(telegram, sveta_user, "Funnel", "Today")
    assert (await telegram.reply_to(sveta_user.id, after=mark)).text.endswith("\nNo data for this period.")
    await telegram.wait_for(lambda c: c.method == "answerCallbackQuery" and c.seq >= mark)  # it is done
    assert not [c for c in telegram.sent("sendPhoto", sveta_user.id) if c.seq >= mark]


async def test_amounts_in_russian_per_currency(
    app: Application, telegram: FakeTelegram, boris_user: User
) -> None:
    boris = await app.services.users.actor(boris_user.id)
    for amount, currency in [("1000", "RUB"), ("2500", "RUB"), ("200", "EUR")]:
        draft = LeadDraft(
            name="Клиент", source_code="WEB", amount=amount, currency=currency, assignee_id=boris.id
        )
        await app.services.leads.create(draft)
    mark = await ask(telegram, boris_user, "По статусам", "Этот месяц")
    text = (await telegram.reply_to(boris_user.id, after=mark)).text
    assert "сумма: 3\xa0500\xa0₽\nсумма: 200\xa0€\n" in text
    # both are New: each currency in full, never added together
    assert "<b>Новый</b>\nлидов: 3 (100\xa0%) · 3\xa0500\xa0₽ (100\xa0%)\n200\xa0€ (100\xa0%)" in text


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
    week = format_interval(START.date(), START.date() + timedelta(days=6), "yMMMd", locale="ru")
    assert table.text.startswith(f"<b>По источникам: {week}</b>")
    assert "лидов: 0" in table.text  # Boris has none of these leads


async def test_weekly_summary_on_monday_morning(
    app: Application, telegram: FakeTelegram, clock: FrozenClock, anna_user: User, sveta_user: User
) -> None:
    await seed(app, anna_user)  # created on Monday, START
    clock.set(at(7, 6, 30))  # the next Monday, 09:30 in Moscow: the scheduler's check follows the clock
    summary = (await telegram.wait_for(lambda c: c.chat_id == sveta_user.id and c.text.startswith("🗓")))[0]
    week = format_interval(START.date(), START.date() + timedelta(days=6), "yMMMd", locale="ru")
    assert week in summary.text  # in the team's language: Sveta never wrote to the bot
    assert "<b>По менеджерам</b>" in summary.text and "<b>Воронка</b>" in summary.text
    assert "\n\n<b>Anna</b>\n" in summary.text and "<pre>" not in summary.text
    assert max(len(line) for line in figure_lines(summary)) <= WIDTH
    assert await app.services.nudges.send_weekly_summaries() == 0  # Sveta, the only boss, has hers
    clock.advance(timedelta(days=1))
    assert await app.services.nudges.send_weekly_summaries() == 0
