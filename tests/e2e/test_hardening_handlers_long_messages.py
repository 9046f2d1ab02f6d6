"""Texts over Telegram's 4096 characters (issue 11, finding 9): a report of a big team arrives whole, in
several well-formed messages, and its chart after them. Each manager is a block: the name on its own line,
then the figures (issue 12)."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest

from db.enums import Role
from leadbot.app import Application
from leadbot.clock import FrozenClock
from leadbot.services.lead_input import LeadDraft
from leadbot.text_split import TEXT_LIMIT
from tests.conftest import ADMIN_TG, START
from tests.fakes.telegram import Call, FakeTelegram, Person, User

TEAM = 70
TAG = re.compile(r"<(/?)([\w-]+)[^>]*>")


def visible(text: str) -> str:
    return html.unescape(TAG.sub("", text))


def managers_seen(text: str) -> list[str]:
    """The managers whose block (a name line followed by their figures) is in the visible `text`."""
    return re.findall(r"^(Manager \d\d)\n\w+: 1 ", text, re.MULTILINE)  # "leads: 1", "лидов: 1"


def assert_sendable(message: Call) -> None:
    """Within the limit (counted as Telegram does) and with every tag closed in the same message."""
    assert len(visible(message.text).encode("utf-16-le")) // 2 <= TEXT_LIMIT
    stack: list[str] = []
    for closing, name in TAG.findall(message.text):
        if closing:
            assert stack.pop() == name
        else:
            stack.append(name)
    assert not stack


@pytest.fixture
async def boss(app: Application, telegram: FakeTelegram) -> Person:
    await app.services.users.add(ADMIN_TG, Role.ADMIN, "Alla")
    return telegram.person(User(ADMIN_TG, "Alla", language_code="en"))


@pytest.fixture
async def big_team(app: Application) -> list[str]:
    """Seventy managers with a lead each: the table by manager is far longer than one message."""
    names = [f"Manager {number:02d}" for number in range(1, TEAM + 1)]
    for number, name in enumerate(names, start=1):
        manager = await app.services.users.add(5000 + number, Role.MANAGER, name)
        outcome = await app.services.leads.create(LeadDraft(name=f"Client {number}", source_code="CALL"))
        assert outcome.lead is not None
        await app.services.leads.take(outcome.lead.id, manager)
    return names


async def test_a_report_of_seventy_managers_arrives_whole_then_the_chart(
    app: Application, telegram: FakeTelegram, boss: Person, big_team: list[str]
) -> None:
    menu = await boss.says("/report")
    await boss.opens(menu, "By manager")
    await boss.press(menu, "This month")
    chart = await boss.hears(method="sendPhoto")
    parts = [c for c in telegram.recent("sendMessage", boss.id) if c.seq < chart.seq]
    assert len(parts) > 1
    for part in parts:
        assert_sendable(part)
    assert parts[0].text.startswith("<b>By manager: ")
    text = "".join(visible(part.text) for part in parts)
    assert sorted(managers_seen(text)) == big_team  # each block once: none lost, none repeated


async def test_the_weekly_summary_of_seventy_managers_arrives_whole(
    app: Application, telegram: FakeTelegram, clock: FrozenClock, boss: Person, big_team: list[str]
) -> None:
    telegram.from_now_on()
    clock.set(START + timedelta(days=7, hours=-2, minutes=-30))  # next Monday, 09:30 in Moscow: it is due
    heading = await telegram.next_call(chat_id=boss.id, where=lambda c: c.text.startswith("🗓"))
    # its last table, the funnel, comes in the team's language: the boss never wrote to the bot
    end = (await telegram.wait_for(lambda c: c.chat_id == boss.id and "<b>Воронка</b>" in c.text))[0]
    parts = [c for c in telegram.sent("sendMessage", boss.id) if heading.seq <= c.seq <= end.seq]
    assert len(parts) > 1
    for part in parts:
        assert_sendable(part)
    summary = "".join(visible(part.text) for part in parts)
    assert sorted(managers_seen(summary)) == big_team
