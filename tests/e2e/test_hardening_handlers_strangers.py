"""Strangers do not spend the sending budget (issue 11, finding 15): one refusal per person per ten
minutes, and a refusal Telegram answers with 429 is dropped, never raised.

Updates are fed through the dispatcher here, so that each is fully handled when `feed` returns: a test
can then count what the bot did not send without waiting for it.
"""

from __future__ import annotations

import itertools
import time
from datetime import timedelta
from typing import Any

from aiogram.types import Update

from leadbot.app import Application
from leadbot.clock import FrozenClock
from tests.conftest import ALERT_CHAT_ID
from tests.fakes.telegram import FakeTelegram, User

REFUSAL = "You are not registered in this bot. Ask an administrator for an invitation."
_update_ids = itertools.count(10_000_000)  # far from the fake's own


async def feed(app: Application, kind: str, body: dict[str, Any]) -> None:
    update = Update.model_validate({"update_id": next(_update_ids), kind: body}, context={"bot": app.bot})
    await app.dispatcher.feed_update(app.bot, update)


async def say(app: Application, user: User, text: str, chat_id: int | None = None) -> None:
    chat = chat_id or user.id
    message: dict[str, Any] = {
        "message_id": next(_update_ids),
        "date": int(time.time()),
        "chat": {"id": chat, "type": "private"} if chat > 0 else {"id": chat, "type": "supergroup"},
        "from": user.as_dict(),
        "text": text,
    }
    if text.startswith("/"):
        message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
    await feed(app, "message", message)


async def test_a_stranger_is_told_once_per_ten_minutes_whatever_they_send(
    app: Application, telegram: FakeTelegram, clock: FrozenClock, stranger: User
) -> None:
    for text in ["hello", "/start", "/help", "/lead 1", "/report", "/start NOT-AN-INVITE", *["spam"] * 20]:
        await say(app, stranger, text)
    await say(app, stranger, "/new", chat_id=ALERT_CHAT_ID)
    told = telegram.sent("sendMessage")
    assert [(c.chat_id, c.text) for c in told] == [(stranger.id, REFUSAL)]
    clock.advance(timedelta(minutes=9))
    await say(app, stranger, "still there?")
    assert len(telegram.sent("sendMessage")) == 1
    clock.advance(timedelta(minutes=1))
    await say(app, stranger, "hello again")
    assert len(telegram.sent("sendMessage", stranger.id)) == 2


async def test_a_refusal_refused_with_429_is_dropped_not_raised(
    app: Application, telegram: FakeTelegram, stranger: User
) -> None:
    telegram.fail_next("sendMessage", 429, retry_after=30)
    await say(app, stranger, "hello")  # raised TelegramRetryAfter before
    assert [c.method for c in telegram.calls if c.failed] == ["sendMessage"]
    telegram.fail_next("sendMessage", 429, retry_after=30)
    await say(app, User(999_998, "Other stranger"), "/help")
    assert len([c for c in telegram.calls if c.failed]) == 2


async def test_every_press_of_a_stranger_is_answered(
    app: Application, telegram: FakeTelegram, stranger: User, lead_alert: Any
) -> None:
    for _ in range(3):
        assert (await telegram.person(stranger).press(lead_alert, "Взять")).params["text"] == REFUSAL
        pressed = await telegram.press(stranger, lead_alert, "Take")  # data that is no button's at all
        assert (await telegram.answer_to(pressed)).params["text"] == REFUSAL
