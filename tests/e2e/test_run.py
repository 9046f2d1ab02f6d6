"""`leadbot run` as a user starts it: a real process, talking to the fake Bot API, stopped by Ctrl-C."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

from tests.fakes.telegram import FakeTelegram, User


async def test_leadbot_run_serves_and_stops_cleanly_on_ctrl_c(telegram: FakeTelegram, tmp_path: Path) -> None:
    env = {
        **os.environ,
        "BOT_TOKEN": "123456:TEST-token",
        "TELEGRAM_API_URL": telegram.base_url,
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'run.db'}",
        "ADMIN_IDS": "1000",
        "HTTP_PORT": "0",
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "leadbot",
        "run",
        env=env,
        cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        await telegram.wait_for(lambda c: c.method == "setMyCommands", within=30)
        await telegram.send_message(User(1000, "Alla"), "/start")
        reply = await telegram.reply_to(1000, within=30)
        assert "Добро пожаловать" in reply.text
    finally:
        process.send_signal(signal.SIGINT)
        out, err = await asyncio.wait_for(process.communicate(), timeout=30)
    assert process.returncode == 0, err.decode()[-2000:]
    assert "stopped" in out.decode()
