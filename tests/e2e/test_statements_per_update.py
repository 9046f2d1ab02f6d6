"""How many SQL statements an update costs, counted on the engine (`before_cursor_execute`) in a bot with no
background work running (so every statement counted is the update's own)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import Any

import pytest
from sqlalchemy import event

from db.enums import Role
from leadbot.app import Application
from leadbot.services.lead_input import LeadDraft
from tests.fakes.telegram import WAIT_TIMEOUT, FakeTelegram, Person, User


class Finished:
    """Counts the updates the dispatcher has finished handling (answer, edits, dialog state and all), so that
    a test waits for the end of an update instead of sleeping."""

    def __init__(self, app: Application, monkeypatch: pytest.MonkeyPatch) -> None:
        self.count = 0
        self._changed = asyncio.Condition()
        feed_update = app.dispatcher.feed_update

        async def counted(*args: Any, **kwargs: Any) -> Any:
            try:
                return await feed_update(*args, **kwargs)
            finally:
                async with self._changed:
                    self.count += 1
                    self._changed.notify_all()

        monkeypatch.setattr(app.dispatcher, "feed_update", counted)

    async def reach(self, count: int) -> None:
        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(lambda: self.count >= count), WAIT_TIMEOUT)

    @asynccontextmanager
    async def one_more(self) -> AsyncIterator[None]:
        """The block sends one update; leaving it waits until that update has been handled to the end."""
        before = self.count
        yield
        await self.reach(before + 1)


@pytest.fixture
def finished(quiet_app: Application, monkeypatch: pytest.MonkeyPatch) -> Finished:
    return Finished(quiet_app, monkeypatch)


@pytest.fixture
async def manager(quiet_app: Application, telegram: FakeTelegram, finished: Finished) -> Person:
    """Anna, after her first message (which notes the language of her Telegram app: a write)."""
    await quiet_app.services.users.add(3001, Role.MANAGER, "Anna")
    anna = telegram.person(User(3001, "Anna", language_code="ru"))
    async with finished.one_more():
        await anna.says("/help")
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


async def test_help_costs_one_statement(quiet_app: Application, manager: Person, finished: Finished) -> None:
    """/help reads nothing itself: what it costs is who acts and their dialog state."""
    with statements(quiet_app) as sent:
        async with finished.one_more():
            reply = await manager.says("/help")
    assert "/lead" in reply.text
    assert sent == ["SELECT"]


async def test_a_card_by_command_costs_three_reads(
    quiet_app: Application, manager: Person, finished: Finished
) -> None:
    """Who acts (with the dialog state), then the card in two; remembering the live card writes."""
    lead_id = await new_lead(quiet_app)
    with statements(quiet_app) as sent:
        async with finished.one_more():
            card = await manager.says(f"/lead {lead_id}")
    assert "Иван Петров" in card.text
    assert sent[:3] == ["SELECT"] * 3
    assert len(sent) <= 6, sent


async def test_take_costs_no_more_than_it_did(
    quiet_app: Application, manager: Person, finished: Finished
) -> None:
    lead_id = await new_lead(quiet_app)
    async with finished.one_more():
        card = await manager.says(f"/lead {lead_id}")
    with statements(quiet_app) as sent:
        async with finished.one_more():
            answer = await manager.press(card, "Взять")
    assert "ваш" in answer.text
    assert sent[0] == "SELECT"
    assert len(sent) <= 6, sent
