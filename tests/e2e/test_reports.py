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
from tests.e2e.conftest import cards_delivered
from tests.fakes.telegram import Call, FakeTelegram, Person


async def seed(app: Application, manager: Person) -> None:
    anna = await app.services.users.actor(manager.id)
    for number in range(3):
        outcome = await app.services.leads.create(LeadDraft(name=f"Клиент {number}", source_code="CALL"))
        assert outcome.lead is not None
        await app.services.leads.take(outcome.lead.id, anna)
    await app.services.leads.create(LeadDraft(name="Ничей", source_code="WEB"))


async def ask(person: Person, report: str, period: str) -> Call:
    """/report, a report's button, then a period's; returns the report the bot writes."""
    menu = await person.says("/report")
    await person.opens(menu, report)
    return await person.choose(menu, period)


def figure_lines(message: Call) -> list[str]:
    """The lines a reader sees, but for those with bold in them (titles and names, which may wrap)."""
    lines = [line for line in message.text.splitlines() if "<b>" not in line]
    return [html.unescape(re.sub(r"<[^>]+>", "", line)) for line in lines]


async def test_report_menu_period_blocks_and_chart(
    app: Application, telegram: FakeTelegram, anna: Person, sveta: Person
) -> None:
    await seed(app, anna)
    answer = await ask(sveta, "By manager", "This month")
    assert answer.text.startswith("<b>By manager: ") and "<pre>" not in answer.text
    assert "\nleads: 4\n" in answer.text
    assert "<b>Anna</b>\nleads: 3 (75%) · new: 3\nin work: 0 · converted: 0 (0%)\n" in answer.text
    assert max(len(line) for line in figure_lines(answer)) <= WIDTH
    photo = await sveta.hears(method="sendPhoto")
    assert photo.params["_photo_bytes"].startswith(b"\x89PNG")


async def test_an_empty_report_says_so_and_sends_no_chart(
    app: Application, telegram: FakeTelegram, sveta: Person
) -> None:
    report = await ask(sveta, "Funnel", "Today")  # the press is answered: the bot is done with it
    assert report.text.endswith("\nNo data for this period.")
    assert not telegram.sent("sendPhoto", sveta.id)


async def test_amounts_in_russian_per_currency(
    app: Application, telegram: FakeTelegram, boris: Person
) -> None:
    boris_actor = await app.services.users.actor(boris.id)
    for amount, currency in [("1000", "RUB"), ("2500", "RUB"), ("200", "EUR")]:
        draft = LeadDraft(
            name="Клиент", source_code="WEB", amount=amount, currency=currency, assignee_id=boris_actor.id
        )
        await app.services.leads.create(draft)
    await cards_delivered(boris, 3)
    text = (await ask(boris, "По статусам", "Этот месяц")).text
    assert "сумма: 3\xa0500\xa0₽\nсумма: 200\xa0€\n" in text
    # both are New: each currency in full, never added together
    assert "<b>Новый</b>\nлидов: 3 (100\xa0%) · 3\xa0500\xa0₽ (100\xa0%)\n200\xa0€ (100\xa0%)" in text


async def test_a_manager_gets_own_figures_for_typed_dates(
    app: Application, telegram: FakeTelegram, anna: Person, boris: Person
) -> None:
    await seed(app, anna)
    menu = await boris.says("/report")
    await boris.opens(menu, "По источникам")
    await boris.choose(menu, "Даты")
    assert "период" in (await boris.says("31.12-01.01")).text
    table = await boris.says(f"{START:%d.%m}-{START + timedelta(days=6):%d.%m}")
    week = format_interval(START.date(), START.date() + timedelta(days=6), "yMMMd", locale="ru")
    assert table.text.startswith(f"<b>По источникам: {week}</b>")
    assert "лидов: 0" in table.text  # Boris has none of these leads


async def test_weekly_summary_on_monday_morning(
    app: Application, telegram: FakeTelegram, clock: FrozenClock, anna: Person, sveta: Person
) -> None:
    await seed(app, anna)  # created on Monday, START
    clock.set(at(7, 6, 30))  # the next Monday, 09:30 in Moscow: the scheduler's check follows the clock
    summary = await sveta.receives(lambda c: c.text.startswith("🗓"))
    week = format_interval(START.date(), START.date() + timedelta(days=6), "yMMMd", locale="ru")
    assert week in summary.text  # in the team's language: Sveta never wrote to the bot
    assert "<b>По менеджерам</b>" in summary.text and "<b>Воронка</b>" in summary.text
    assert "\n\n<b>Anna</b>\n" in summary.text and "<pre>" not in summary.text
    assert max(len(line) for line in figure_lines(summary)) <= WIDTH
    assert await app.services.nudges.send_weekly_summaries() == 0  # Sveta, the only boss, has hers
    clock.advance(timedelta(days=1))
    assert await app.services.nudges.send_weekly_summaries() == 0
