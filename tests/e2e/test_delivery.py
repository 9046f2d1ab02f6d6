"""The delivery queue in the running application: restarts, bursts, folded edits.

How it takes failures (Telegram's errors, garbage, a failing database): test_delivery_failures.py.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from datetime import timedelta
from typing import Any

from leadbot.app import Application
from leadbot.clock import FrozenClock
from leadbot.config import Settings
from leadbot.database import open_database
from leadbot.services.lead_input import LeadDraft
from leadbot.services.leads import LeadService
from tests.conftest import ALERT_CHAT_ID
from tests.e2e.conftest import card_of, card_sent
from tests.fakes.telegram import Call, FakeTelegram, Person


async def eventually(check: Callable[[], Coroutine[Any, Any, bool]], within: float = 15.0) -> None:
    """Wait (polling the database, not sleeping blindly) until `check` holds."""
    deadline = asyncio.get_running_loop().time() + within
    while not await check():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(0.05)


async def nothing_pending(app: Application) -> bool:
    """Every queued message has been sent (however far off its next attempt would be)."""
    some_day = app.services.ctx.clock.now() + timedelta(days=3650)
    return not await app.services.delivery.pending(some_day, limit=1)


def group_cards(telegram: FakeTelegram, lead_id: int) -> list[Call]:
    return [c for c in telegram.sent("sendMessage", ALERT_CHAT_ID) if card_of(c) == lead_id]


async def create(app: Application, name: str = "Иван", phone: str = "+79161234567") -> int:
    outcome = await app.services.leads.create(LeadDraft(name=name, phones=[phone]))
    assert outcome.lead is not None
    return outcome.lead.id


async def test_restart_loses_nothing_and_sends_nothing_twice(
    settings: Settings, telegram: FakeTelegram, clock: FrozenClock
) -> None:
    configured = settings.model_copy(update={"telegram_api_url": telegram.base_url})
    async with Application(configured, clock) as first:
        sent_before = await create(first, "До остановки", "+79160000001")
        await eventually(lambda: nothing_pending(first))
        telegram.fail_next("sendMessage", 429, retry_after=2)
        pending_at_stop = await create(first, "В очереди", "+79160000002")
        await telegram.wait_for(lambda c: c.method == "sendMessage", failed=True)
    clock.advance(timedelta(seconds=2))  # the retry_after has passed when the bot is back
    async with open_database(configured, clock) as ctx:  # the bot is down; an intake still takes leads
        outcome = await LeadService(ctx).create(LeadDraft(name="Пока бот лежал", phones=["+79160000003"]))
        assert outcome.lead is not None
        while_down = outcome.lead.id
    async with Application(configured, clock) as second:
        await eventually(lambda: nothing_pending(second))
    assert [len(group_cards(telegram, lead)) for lead in (sent_before, pending_at_stop, while_down)] == [
        1,
        1,
        1,
    ]


async def test_a_burst_of_leads_is_folded_into_a_digest(app: Application, telegram: FakeTelegram) -> None:
    for number in range(100):
        await create(app, f"Клиент {number}", f"+7916100{number:04d}")
    await eventually(lambda: nothing_pending(app), within=30)
    group_messages = telegram.sent("sendMessage", ALERT_CHAT_ID)
    digests = [c for c in group_messages if c.buttons and c.buttons[0]["callback_data"].startswith("P")]
    cards = [c for c in group_messages if card_of(c) is not None]
    assert len(group_messages) <= 10
    assert digests
    assert "Показать списком" in digests[0].buttons[0]["text"]
    folded = sum(int(c.text.split("<b>")[1].split()[0]) for c in digests)
    assert folded + len(cards) == 100


async def test_several_edits_of_one_card_are_sent_once_in_the_latest_state(
    app: Application, telegram: FakeTelegram, anna: Person
) -> None:
    lead_id = await create(app)
    alert = await card_sent(telegram, ALERT_CHAT_ID, lead_id)
    anna_actor = await app.services.users.actor(anna.id)
    telegram.from_now_on()
    await app.services.leads.take(lead_id, anna_actor)
    await app.services.leads.change_status(lead_id, "IN_PROCESS", anna_actor)
    await app.services.leads.change_status(lead_id, "PROCESSED", anna_actor)
    await eventually(lambda: nothing_pending(app))
    edits = telegram.recent("editMessageText", ALERT_CHAT_ID)
    assert len(edits) == 1
    assert "Обработан" in edits[0].text and "Anna" in edits[0].text
    await anna.opens(alert, "Статус")  # the folded card is live and usable
