"""The composition root: one place that wires database, services, bot, dispatcher and background work."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from contextlib import AsyncExitStack
from types import TracebackType

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiohttp import web

from handlers.commands import publish_commands
from handlers.i18n import build_i18n
from handlers.outbox_renderer import TelegramRenderer
from handlers.setup import build_dispatcher
from leadbot.clock import Clock
from leadbot.config import Settings
from leadbot.database import open_database
from leadbot.delivery.worker import DeliveryWorker
from leadbot.log_redaction import redact_secrets
from leadbot.scheduling import Scheduler
from leadbot.services.registry import Services
from leadbot.web import build_web_app, webhook_secret

log = logging.getLogger("leadbot")
STOP_GRACE = 5.0  # seconds background tasks get to finish before they are cancelled


def build_bot(settings: Settings) -> Bot:
    if not settings.bot_token:
        raise ValueError("BOT_TOKEN is not set")
    session = AiohttpSession(api=TelegramAPIServer.from_base(settings.telegram_api_url))
    return Bot(
        settings.bot_token,
        session=session,
        default=DefaultBotProperties(parse_mode=ParseMode.HTML, link_preview_is_disabled=True),
    )


class Application:
    """Everything `leadbot run` runs, startable and stoppable as a unit (tests use it the same way)."""

    def __init__(
        self, settings: Settings, clock: Clock | None = None, *, delivery_timeout: float = 15.0
    ) -> None:
        self.settings = settings
        self.delivery_timeout = delivery_timeout
        self._clock = clock
        self._stack = AsyncExitStack()
        self._tasks: list[asyncio.Task[None]] = []
        self.services: Services
        self.bot: Bot
        self.dispatcher: Dispatcher
        self.delivery: DeliveryWorker
        self.scheduler: Scheduler
        self.http_port = 0

    async def __aenter__(self) -> Application:
        await self.start()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.stop()

    async def start(self) -> None:
        redact_secrets(self.settings.bot_token, self.settings.api_token, webhook_secret(self.settings))
        ctx = await self._stack.enter_async_context(open_database(self.settings, self._clock))
        self.services = Services.build(ctx)
        self.bot = build_bot(self.settings)
        self._stack.push_async_callback(self.bot.session.close)
        i18n = build_i18n(self.settings.locale)
        self.dispatcher = build_dispatcher(self.services, self.settings, i18n)
        self.delivery = DeliveryWorker(
            self.bot,
            self.services.delivery,
            TelegramRenderer(self.services, i18n, self.settings),
            clock=ctx.clock,
            request_timeout=self.delivery_timeout,
        )
        self.scheduler = Scheduler(self.services)
        if self.settings.run_background:
            self._tasks.append(asyncio.create_task(self.delivery.run(), name="delivery"))
            await self.scheduler.start()
        await self._serve_http()
        await publish_commands(self.bot, i18n)
        if self.settings.webhook_url:
            await self.bot.set_webhook(
                self.settings.webhook_url,
                secret_token=webhook_secret(self.settings),
                allowed_updates=self.dispatcher.resolve_used_update_types(),
            )
        else:
            self._tasks.append(asyncio.create_task(self._poll(), name="polling"))

    async def _serve_http(self) -> None:
        runner = web.AppRunner(
            build_web_app(self.settings, self.dispatcher, self.bot, self.services), access_log=None
        )
        await runner.setup()
        self._stack.push_async_callback(runner.cleanup)
        site = web.TCPSite(runner, self.settings.http_host, self.settings.http_port)
        await site.start()
        self.http_port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def _poll(self) -> None:
        await self.bot.delete_webhook(drop_pending_updates=False)
        await self.dispatcher.start_polling(
            self.bot,
            handle_signals=False,
            close_bot_session=False,
            allowed_updates=self.dispatcher.resolve_used_update_types(),
        )

    async def stop(self) -> None:
        self.scheduler.stop()
        self.delivery.stop()
        with contextlib.suppress(RuntimeError):  # polling already stopped
            await self.dispatcher.stop_polling()
        for task in self._tasks:
            try:
                await asyncio.wait_for(asyncio.shield(task), timeout=STOP_GRACE)
            except TimeoutError:  # e.g. polling that began after stop_polling() was called
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        self._tasks.clear()
        await self._stack.aclose()


async def run_application(settings: Settings) -> None:
    """Run until SIGINT/SIGTERM, then stop cleanly (nothing acknowledged is lost: it is committed)."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    async with Application(settings):
        log.info("leadbot is running; Ctrl-C stops it")
        await stop.wait()
    log.info("leadbot stopped")
