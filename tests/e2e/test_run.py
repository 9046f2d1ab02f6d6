"""`leadbot run` as a user starts it: a real process, talking to the fake Bot API, stopped by Ctrl-C.
What a person can set wrong (the token, the port) stops it with one line; a Bot API it cannot reach
makes it wait and say so, not die."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import socket
import sys
from pathlib import Path

import pytest

from leadbot.app import Application
from leadbot.clock import FrozenClock
from leadbot.config import Settings
from leadbot.startup_errors import TelegramRefuses
from tests.fakes.telegram import FakeTelegram, User

TOKEN = "123456:TEST-token"
WAIT = 60  # seconds for a process that imports aiogram on a busy machine


def leadbot_env(tmp_path: Path, api_url: str, **settings: str) -> dict[str, str]:
    return {
        **os.environ,
        "BOT_TOKEN": TOKEN,
        "TELEGRAM_API_URL": api_url,
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'run.db'}",
        "ADMIN_IDS": "1000",
        "HTTP_PORT": "0",
        "LOCALE": "en",
        **settings,
    }


async def start_leadbot(tmp_path: Path, env: dict[str, str]) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "leadbot",
        "run",
        env=env,
        cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def finished(process: asyncio.subprocess.Process) -> tuple[str, str]:
    out, err = await asyncio.wait_for(process.communicate(), timeout=WAIT)
    return out.decode(), err.decode()


async def stop(process: asyncio.subprocess.Process) -> tuple[str, str]:
    process.send_signal(signal.SIGINT)
    return await finished(process)


async def stderr_line(process: asyncio.subprocess.Process, pattern: str) -> str:
    """The next line of the process's stderr that matches `pattern` (a regular expression)."""
    assert process.stderr is not None

    async def read() -> str:
        while line := (await process.stderr.readline()).decode():  # type: ignore[union-attr]
            if re.search(pattern, line):
                return line.rstrip("\n")
        raise AssertionError(f"stderr ended without a line matching {pattern!r}")

    return await asyncio.wait_for(read(), timeout=WAIT)


def closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_leadbot_run_serves_and_stops_cleanly_on_ctrl_c(telegram: FakeTelegram, tmp_path: Path) -> None:
    process = await start_leadbot(tmp_path, leadbot_env(tmp_path, telegram.base_url, LOCALE="ru"))
    try:
        await telegram.wait_for(lambda c: c.method == "setMyCommands", within=WAIT)
        await telegram.send_message(User(1000, "Alla"), "/start")
        reply = await telegram.reply_to(1000, within=WAIT)
        assert "Добро пожаловать" in reply.text
    finally:
        _out, err = await stop(process)
    assert process.returncode == 0, err[-2000:]


async def test_a_token_telegram_refuses_is_one_line(telegram: FakeTelegram, tmp_path: Path) -> None:
    telegram.fail_next("getMe", 401, description="Unauthorized")
    process = await start_leadbot(tmp_path, leadbot_env(tmp_path, telegram.base_url))
    out, err = await finished(process)
    assert process.returncode == 1
    assert err.splitlines() == [
        f"leadbot: The Bot API at {telegram.base_url} refuses BOT_TOKEN (Unauthorized): copy the bot's "
        "token from @BotFather into BOT_TOKEN, and check TELEGRAM_API_URL if you set it."
    ]
    assert out == ""


async def test_an_unreachable_bot_api_is_waited_for_with_growing_pauses(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{closed_port()}"
    process = await start_leadbot(tmp_path, leadbot_env(tmp_path, url))
    try:
        said = [await stderr_line(process, "Cannot reach"), await stderr_line(process, "Cannot reach")]
    finally:
        out, err = await stop(process)
    says = (
        rf"WARNING leadbot: Cannot reach the Bot API at {re.escape(url)} \(.+\); trying again in (\d+) s\.$"
    )
    pauses = [re.search(says, line) for line in said]
    assert all(pauses), said
    assert [int(p.group(1)) for p in pauses if p] == [1, 2]
    assert process.returncode == 0, err[-2000:]
    assert out.strip() == "stopped"
    assert "Traceback" not in err


async def test_leadbot_run_serves_once_the_bot_api_answers_again(
    telegram: FakeTelegram, tmp_path: Path
) -> None:
    telegram.fail_next("getMe", 502)
    telegram.fail_next("getMe", 502, html=True)  # a proxy's page while the Bot API server restarts
    process = await start_leadbot(tmp_path, leadbot_env(tmp_path, telegram.base_url))
    try:
        await telegram.wait_for(lambda c: c.method == "setMyCommands", within=WAIT)
        await telegram.send_message(User(1000, "Alla", language_code="en"), "/start")
        assert "Welcome" in (await telegram.reply_to(1000, within=WAIT)).text
    finally:
        _out, err = await stop(process)
    assert process.returncode == 0, err[-2000:]
    assert err.count("Cannot reach the Bot API") == 2 and "Traceback" not in err


async def test_a_port_in_use_is_one_line_naming_the_setting(telegram: FakeTelegram, tmp_path: Path) -> None:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        process = await start_leadbot(tmp_path, leadbot_env(tmp_path, telegram.base_url, HTTP_PORT=str(port)))
        _out, err = await finished(process)
    assert process.returncode == 1
    assert err.splitlines() == [
        f"leadbot: Port {port} on 127.0.0.1 is already in use: stop the program that holds it, "
        "or set HTTP_PORT to a free port."
    ]
    assert telegram.calls == []  # refused before it said a word to Telegram


async def test_another_refusal_at_start_stops_what_was_started(
    settings: Settings, telegram: FakeTelegram, clock: FrozenClock
) -> None:
    telegram.fail_next("setMyCommands", 403, description="Forbidden: the bot is not allowed")
    application = Application(settings.model_copy(update={"telegram_api_url": telegram.base_url}), clock)
    with pytest.raises(TelegramRefuses) as refused:
        await application.start()
    assert refused.value.render() == (
        f"The Bot API at {telegram.base_url} refuses setMyCommands (Forbidden: the bot is not allowed): "
        "check BOT_TOKEN and TELEGRAM_API_URL."
    )
    with pytest.raises(ConnectionRefusedError):  # its intake server is closed again
        socket.create_connection(("127.0.0.1", application.http_port), timeout=5).close()
