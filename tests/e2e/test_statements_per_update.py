"""How many SQL statements an update costs, counted on the engine (`before_cursor_execute`) in a bot with no
background work running (so every statement counted is the update's own)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event

from db.enums import Role
from leadbot.app import Application
from leadbot.clock import FrozenClock
from leadbot.config import Settings
from leadbot.services.lead_input import LeadDraft
from tests.fakes.telegram import FakeTelegram, Person, User

SETTLE = 0.3  # seconds for the bot to finish what it does after answering


@pytest.fixture
async def quiet_app(
    settings: Settings, telegram: FakeTelegram, clock: FrozenClock
) -> AsyncIterator[Application]:
    configured = settings.model_copy(update={"telegram_api_url": telegram.base_url, "run_background": False})
    async with Application(configured, clock) as application:
        yield application


@pytest.fixture
async def manager(quiet_app: Application, telegram: FakeTelegram) -> Person:
    """Anna, after her first message (which notes the language of her Telegram app: a write)."""
    await quiet_app.services.users.add(3001, Role.MANAGER, "Anna")
    anna = telegram.person(User(3001, "Anna", language_code="ru"))
    await anna.says("/help")
    await asyncio.sleep(SETTLE)
    return anna


@contextmanager
def statements(app: Application) -> Iterator[list[str]]:
    engine = app.services.ctx.sessions.kw["bind"].sync_engine
    sent: list[str] = []

    def note(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        sent.append(statement.split()[0])

    event.listen(engine, "before_cursor_execute", note)
    try:
        yield sent
    finally:
        event.remove(engine, "before_cursor_execute", note)


async def new_lead(app: Application) -> int:
    draft = LeadDraft(name="Иван Петров", phones=["+7 916 123-45-67"], company_title="ООО «Ромашка»")
    outcome = await app.services.leads.create(draft)
    assert outcome.lead is not None
    return outcome.lead.id


async def test_help_costs_one_statement(quiet_app: Application, manager: Person) -> None:
    """/help reads nothing itself: what it costs is who acts and their dialog state."""
    with statements(quiet_app) as sent:
        reply = await manager.says("/help")
        await asyncio.sleep(SETTLE)
    assert "/lead" in reply.text
    assert sent == ["SELECT"]


async def test_a_card_by_command_costs_three_reads(quiet_app: Application, manager: Person) -> None:
    """Who acts (with the dialog state), then the card in two; remembering the live card writes."""
    lead_id = await new_lead(quiet_app)
    with statements(quiet_app) as sent:
        card = await manager.says(f"/lead {lead_id}")
        await asyncio.sleep(SETTLE)
    assert "Иван Петров" in card.text
    assert sent[:3] == ["SELECT"] * 3
    assert len(sent) <= 6, sent


async def test_take_costs_no_more_than_it_did(quiet_app: Application, manager: Person) -> None:
    lead_id = await new_lead(quiet_app)
    card = await manager.says(f"/lead {lead_id}")
    await asyncio.sleep(SETTLE)
    with statements(quiet_app) as sent:
        answer = await manager.press(card, "Взять")
        await asyncio.sleep(SETTLE)
    assert "ваш" in answer.text
    assert sent[0] == "SELECT"
    assert len(sent) <= 6, sent
