"""Benchmark: idle memory (RSS) of leadbot beside a bare aiogram bot, in the same run.

Run: .venv/bin/python bench/memory.py [IDLE_SECONDS]
A fake Bot API (tests/fakes/telegram.py) runs in this process. Each bot runs in its own child process
and polls it: leadbot is the real Application (SQLite in a temporary folder, delivery worker and
scheduler running), the bare bot is a Dispatcher + Bot + one router. After IDLE_SECONDS (default 5)
of idling each child reports its resident set size (VmRSS); the script prints both and the ratio.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the fake Bot API lives in tests/

from tests.fakes.telegram import FakeTelegram  # noqa: E402

TOKEN = "123456:BENCH-token"

LEADBOT = f"""
import asyncio, sys
from leadbot.app import Application
from leadbot.config import Settings

async def main(url, database, idle):
    settings = Settings(_env_file=None, database_url=database, bot_token="{TOKEN}", telegram_api_url=url,
                        alert_chat_id=-100123, admin_ids=frozenset({{1000}}), http_port=0, locale="ru")
    async with Application(settings):
        await asyncio.sleep(idle)
        print(rss())

def rss():
    return int(open("/proc/self/status").read().split("VmRSS:")[1].split()[0])

asyncio.run(main(sys.argv[1], sys.argv[2], float(sys.argv[3])))
"""

BARE = f"""
import asyncio, sys
from aiogram import Bot, Dispatcher, Router
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.types import CallbackQuery

router = Router()

@router.callback_query()
async def pressed(query: CallbackQuery) -> None:
    await query.answer()

async def main(url, database, idle):
    bot = Bot("{TOKEN}", session=AiohttpSession(api=TelegramAPIServer.from_base(url)))
    dispatcher = Dispatcher()
    dispatcher.include_router(router)
    polling = asyncio.create_task(dispatcher.start_polling(bot, handle_signals=False))
    await asyncio.sleep(idle)
    print(rss())
    await dispatcher.stop_polling()
    await polling
    await bot.session.close()

def rss():
    return int(open("/proc/self/status").read().split("VmRSS:")[1].split()[0])

asyncio.run(main(sys.argv[1], sys.argv[2], float(sys.argv[3])))
"""


async def idle_rss(program: str, url: str, idle: float) -> int:
    """The child's RSS in KiB after `idle` seconds of polling the fake Bot API."""
    with tempfile.TemporaryDirectory() as folder:
        database = f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}"
        child = await asyncio.create_subprocess_exec(
            sys.executable, "-c", program, url, database, str(idle), cwd=ROOT, stdout=asyncio.subprocess.PIPE
        )
        out, _ = await child.communicate()
    if child.returncode != 0:
        raise SystemExit(f"the child failed ({child.returncode})")
    return int(out.split()[-1])


async def main(idle: float) -> None:
    telegram = FakeTelegram()
    url = await telegram.start()
    try:
        bare = await idle_rss(BARE, url, idle)
        leadbot = await idle_rss(LEADBOT, url, idle)
    finally:
        await telegram.stop()
    print(f"bare aiogram bot: {bare / 1024:6.1f} MB idle RSS")
    print(f"leadbot:          {leadbot / 1024:6.1f} MB idle RSS")
    print(f"ratio:            {leadbot / bare:6.2f}x (target <= 1.30x)")


if __name__ == "__main__":
    asyncio.run(main(float(sys.argv[1]) if len(sys.argv) > 1 else 5.0))
