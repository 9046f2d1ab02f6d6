"""Benchmark: from a committed change of a card (a Take) to its editMessageText at the Bot API.

Run: .venv/bin/python -m bench.press_edit [PRESSES] [THINK_SECONDS]   (from the checkout: it uses tests/fakes)
One run, one database, a local fake Bot API (tests/fakes/telegram.py): a manager takes PRESSES leads one
after another from their cards in her private chat, THINK_SECONDS apart, first with the worker as it was
before issue 14 (a look at the queue every 0.2 s, edits spaced like new messages: one a second per chat),
then with the worker as it is (woken by the commit, the edit of a card not held back by the spacing).
Prints p50/p90/max of commit → edit and of the whole Take (service call + edit), and how many SQL
statements each worker runs in 10 idle seconds. Issue 14 measured Take edit p50 99 ms, p90 302 ms.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import event

from db.enums import Role
from handlers.i18n import build_i18n
from handlers.outbox_renderer import TelegramRenderer
from leadbot.actor import Actor
from leadbot.app import Application
from leadbot.config import Settings
from leadbot.delivery.limits import RateLimits
from leadbot.delivery.worker import DeliveryWorker
from leadbot.services.lead_input import LeadDraft
from tests.fakes.telegram import Call, FakeTelegram

MANAGER = 3001
OLD_TICK = 0.2
IDLE = 10.0


class EditsSpaced(RateLimits):
    """Telegram's limits as kept before: an edit waited its chat's second like a new message."""

    def wait(self, chat_id: int, *, edit: int | None = None) -> float:
        return super().wait(chat_id)


class PollingWorker(DeliveryWorker):
    """The worker as it was: a pass every 0.2 s whatever happened."""

    running = True

    async def run(self) -> None:
        while self.running:
            await self.step()
            await asyncio.sleep(OLD_TICK)

    def stop(self) -> None:
        self.running = False
        super().stop()


async def cards(app: Application, telegram: FakeTelegram, count: int, first: int) -> list[tuple[int, int]]:
    """`count` leads, each with its card in the manager's chat: (lead id, message id)."""
    shown = []
    for number in range(first, first + count):
        outcome = await app.services.leads.create(
            LeadDraft(name=f"Клиент {number}", phones=[f"+7916{number:07}"])
        )
        assert outcome.lead is not None
        message = await app.bot.send_message(MANAGER, f"card {number}")
        await app.services.delivery.remember_card(outcome.lead.id, MANAGER, message.message_id)
        shown.append((outcome.lead.id, message.message_id))
    return shown


def edit_of(message_id: int) -> Callable[[Call], bool]:
    return lambda call: call.method == "editMessageText" and int(call.params["message_id"]) == message_id


async def presses(
    app: Application, telegram: FakeTelegram, anna: Actor, shown: list[tuple[int, int]], think: float
) -> tuple[list[float], list[float]]:
    """Take each card; the seconds from the commit, and from the call, to its edit."""
    after_commit, whole = [], []
    for lead_id, message_id in shown:
        await asyncio.sleep(think)
        start = time.perf_counter()
        await app.services.leads.take(lead_id, anna)
        committed = time.perf_counter()
        await telegram.wait_for(edit_of(message_id))
        edited = time.perf_counter()
        after_commit.append(edited - committed)
        whole.append(edited - start)
    return after_commit, whole


async def idle_statements(app: Application) -> int:
    engine = app.services.ctx.sessions.kw["bind"].sync_engine
    count = 0

    def counted(*_: object) -> None:
        nonlocal count
        count += 1

    event.listen(engine, "before_cursor_execute", counted)
    await asyncio.sleep(IDLE)
    event.remove(engine, "before_cursor_execute", counted)
    return count


async def measure(
    app: Application, telegram: FakeTelegram, anna: Actor, worker: DeliveryWorker, count: int, think: float
) -> tuple[list[float], list[float], int]:
    shown = await cards(app, telegram, count, first=len(telegram.calls) * 1000)
    task = asyncio.create_task(worker.run())
    try:
        after_commit, whole = await presses(app, telegram, anna, shown, think)
        idle = await idle_statements(app)
    finally:
        worker.stop()
        await task
    return after_commit, whole, idle


def figures(seconds: list[float]) -> str:
    ms = sorted(s * 1000 for s in seconds)
    p90 = ms[int(len(ms) * 0.9) - 1]
    return f"p50 {statistics.median(ms):6.1f} ms  p90 {p90:6.1f} ms  max {ms[-1]:6.1f} ms"


async def main(count: int, think: float) -> None:
    telegram = FakeTelegram()
    await telegram.start()
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(
            _env_file=None,
            database_url=f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}",
            bot_token="123456:TEST-token",
            telegram_api_url=telegram.base_url,
            http_port=0,
            run_background=False,
        )
        async with Application(settings) as app:
            anna = await app.services.users.add(MANAGER, Role.MANAGER, "Anna")
            renderer = TelegramRenderer.of(app.services, build_i18n(settings.locale), settings)
            store = app.services.delivery
            before = PollingWorker(app.bot, store, renderer, limits=EditsSpaced())
            after = DeliveryWorker(app.bot, store, renderer)
            results = {
                "before (0.2 s poll, edits spaced)": await measure(app, telegram, anna, before, count, think),
                "after (woken by the commit)": await measure(app, telegram, anna, after, count, think),
            }
    await telegram.stop()
    print(f"{count} Takes, {think} s apart, SQLite, fake Bot API on loopback")
    for name, (after_commit, whole, idle) in results.items():
        print(f"{name}")
        print(f"  commit -> editMessageText: {figures(after_commit)}")
        print(f"  take() -> editMessageText: {figures(whole)}")
        print(f"  SQL statements in {IDLE:.0f} s idle: {idle}")
    print("issue 14 (update in -> edit out, bot before): Take edit p50 99 ms, p90 302 ms")


if __name__ == "__main__":
    asyncio.run(
        main(int(sys.argv[1]) if len(sys.argv) > 1 else 40, float(sys.argv[2]) if len(sys.argv) > 2 else 0.5)
    )
