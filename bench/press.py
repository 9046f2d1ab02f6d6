"""Benchmark: a press on a lead card, update in → answerCallbackQuery out, leadbot beside a bare aiogram bot.

Run: .venv/bin/python bench/press.py [PRESSES] [ROUNDS]
Both bots poll a fake Bot API on loopback (tests/fakes/telegram.py) in this process, one press at a time.
leadbot is the real Application (SQLite in a temporary folder) without its background work (the delivery
worker would spend minutes sending the group alerts of the leads made for the run, one a second): a
manager presses Status (opens the status menu: a card read, an edit) on the card of a fresh lead (/lead N),
and Take (a write: the lead, its history, the outbox) on the card of another.
The bare bot (Dispatcher + Bot + one router, no database) answers each press with a text. Each round
measures the bare bot, then leadbot, PRESSES presses each (default 200), ROUNDS rounds (default 2):
p50 and p99 of each, and the ratios (target: leadbot ≤ 1.5× bare at p50 and p99).
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from aiogram import Bot, Dispatcher, Router
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.types import CallbackQuery

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the fake Bot API lives in tests/

from db.enums import Role  # noqa: E402
from leadbot.app import Application  # noqa: E402
from leadbot.config import Settings  # noqa: E402
from leadbot.services.lead_input import LeadDraft  # noqa: E402
from tests.fakes.telegram import Call, FakeTelegram, User  # noqa: E402

TOKEN = "123456:BENCH-token"
MANAGER = User(3001, "Anna", language_code="ru")
Press = Callable[[], Awaitable[float]]  # one press; returns its latency in seconds


async def timed(telegram: FakeTelegram, message: Call | dict[str, Any], word: str) -> float:
    """From the update being queued for the bot to the bot's answerCallbackQuery reaching the fake."""
    started = time.monotonic()
    query = await telegram.press(MANAGER, message, word)
    answer = await telegram.answer_to(query)
    return answer.at - started


async def bare_bot(telegram: FakeTelegram, presses: int) -> list[float]:
    router = Router()

    @router.callback_query()
    async def pressed(query: CallbackQuery) -> None:
        await query.answer("Lead #1 is yours.")

    bot = Bot(TOKEN, session=AiohttpSession(api=TelegramAPIServer.from_base(telegram.base_url)))
    dispatcher = Dispatcher()
    dispatcher.include_router(router)
    polling = asyncio.create_task(dispatcher.start_polling(bot, handle_signals=False))
    card = {"message_id": 1, "chat": {"id": MANAGER.id, "type": "private"}, "date": 0, "text": "card"}
    try:
        await timed(telegram, card, "take:1")  # warm-up
        return [await timed(telegram, card, f"take:{i}") for i in range(presses)]
    finally:
        await dispatcher.stop_polling()
        await polling
        await bot.session.close()


async def leadbot(telegram: FakeTelegram, presses: int, folder: str) -> dict[str, list[float]]:
    settings = Settings(
        _env_file=None,
        database_url=f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}",
        bot_token=TOKEN,
        telegram_api_url=telegram.base_url,
        alert_chat_id=-1001234567890,
        admin_ids=frozenset({1000}),
        default_region="RU",
        locale="ru",
        http_port=0,
        run_background=False,
    )
    anna = telegram.person(MANAGER)
    async with Application(settings) as app:
        await app.services.users.add(MANAGER.id, Role.MANAGER, MANAGER.first_name)
        await anna.says("/help")
        cards = []
        for i in range(2 * presses + 1):
            draft = LeadDraft(name=f"Client {i}", phones=[f"+7 916 {i // 10000:03d}-{i % 10000:04d}"])
            outcome = await app.services.leads.create(draft)
            assert outcome.lead is not None
            cards.append(await anna.says(f"/lead {outcome.lead.id}"))
        await timed(telegram, cards[0], "Взять")  # warm-up
        menus = []
        for card in cards[1 : presses + 1]:
            menus.append(await timed(telegram, card, "Статус"))
            await telegram.message_now(card, edit="editMessageReplyMarkup")
        took = [await timed(telegram, card, "Взять") for card in cards[presses + 1 :]]
    return {"Status menu": menus, "Take": took}


def quantiles(latencies: list[float]) -> tuple[float, float]:
    cuts = statistics.quantiles(latencies, n=100, method="inclusive")
    return cuts[49] * 1000, cuts[98] * 1000


async def one_round(presses: int) -> None:
    telegram = FakeTelegram()
    await telegram.start()
    try:
        bare = quantiles(await bare_bot(telegram, presses))
        with tempfile.TemporaryDirectory() as folder:
            ours = await leadbot(telegram, presses, folder)
    finally:
        await telegram.stop()
    print(f"  bare aiogram answer:   p50 {bare[0]:6.2f} ms   p99 {bare[1]:6.2f} ms")
    for name, latencies in ours.items():
        p50, p99 = quantiles(latencies)
        print(
            f"  leadbot {name + ':':13} p50 {p50:6.2f} ms   p99 {p99:6.2f} ms"
            f"   ({p50 / bare[0]:.2f}× / {p99 / bare[1]:.2f}× bare)"
        )


async def main(presses: int, rounds: int) -> None:
    for number in range(1, rounds + 1):
        print(f"round {number} ({presses} presses each, one at a time):")
        await one_round(presses)


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:]]
    asyncio.run(main(args[0] if args else 200, args[1] if len(args) > 1 else 2))
