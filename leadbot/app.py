"""The composition root: one place that wires database, services, bot, dispatcher and background work."""

from __future__ import annotations

import asyncio
import contextlib
import errno
import logging
import signal
from collections.abc import Callable
from contextlib import AsyncExitStack
from types import TracebackType

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.exceptions import (
    ClientDecodeError,
    TelegramAPIError,
    TelegramBadRequest,
    TelegramNetworkError,
    TelegramNotFound,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiogram.utils.backoff import Backoff, BackoffConfig
from aiogram.utils.i18n import I18n
from aiogram.utils.token import TokenValidationError
from aiohttp import web

from handlers.commands import publish_commands, publish_team_commands
from handlers.i18n import build_i18n
from handlers.outbox_renderer import TelegramRenderer
from handlers.setup import build_dispatcher
from leadbot.clock import Clock
from leadbot.config import Settings
from leadbot.delivery.worker import DeliveryWorker
from leadbot.i18n_marker import N_
from leadbot.log_redaction import redact_secrets
from leadbot.scheduling import Scheduler
from leadbot.services.registry import Services, open_services
from leadbot.startup_errors import (
    CannotListen,
    MalformedToken,
    PortInUse,
    TelegramRefuses,
    TelegramUnreachable,
    TokenMissing,
    TokenRefused,
    WebhookRefused,
)
from leadbot.translations import translator
from leadbot.web import build_web_app, webhook_secret

log = logging.getLogger("leadbot")
STOP_GRACE = 5.0  # seconds background tasks get to finish before they are cancelled
TELEGRAM_RETRY = BackoffConfig(min_delay=1.0, max_delay=60.0, factor=2.0, jitter=0.1)


def build_bot(settings: Settings) -> Bot:
    if not settings.bot_token:
        raise TokenMissing()
    session = AiohttpSession(api=TelegramAPIServer.from_base(settings.telegram_api_url))
    try:
        return Bot(
            settings.bot_token,
            session=session,
            default=DefaultBotProperties(parse_mode=ParseMode.HTML, link_preview_is_disabled=True),
        )
    except TokenValidationError:
        raise MalformedToken() from None


class Application:
    """Everything `leadbot run` runs, startable and stoppable as a unit (tests use it the same way).

    Start-up fails on one domain error for what a person set wrong (the token, the port) and waits,
    saying so, while the Bot API cannot be reached: the intake server already takes leads meanwhile."""

    def __init__(
        self,
        settings: Settings,
        clock: Clock | None = None,
        *,
        delivery_timeout: float = 15.0,
        translate: Callable[[str], str] | None = None,
    ) -> None:
        self.settings = settings
        self.delivery_timeout = delivery_timeout
        self._clock = clock
        self._translate = translate or translator(settings.locale)
        self._stack = AsyncExitStack()
        self._tasks: list[asyncio.Task[None]] = []
        self._working = False  # delivery and scheduler exist (start went past the Bot API's greeting)
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
        """Start everything, or (failed or cancelled half-way) stop what was started."""
        try:
            await self._start()
        except BaseException:
            await self.stop()
            raise

    async def _start(self) -> None:
        redact_secrets(self.settings.bot_token, self.settings.api_token, webhook_secret(self.settings))
        self.bot = build_bot(self.settings)
        self._stack.push_async_callback(self.bot.session.close)
        self.services = await self._stack.enter_async_context(open_services(self.settings, self._clock))
        i18n = build_i18n(self.settings.locale)
        renderer = TelegramRenderer.of(self.services, i18n, self.settings)
        self.dispatcher = build_dispatcher(self.services, self.settings, i18n, renderer)
        await self._serve_http()
        await self._greet_telegram(i18n)
        self.delivery = DeliveryWorker(
            self.bot,
            self.services.delivery,
            renderer,
            clock=self.services.clock,
            request_timeout=self.delivery_timeout,
        )
        self.scheduler = Scheduler(self.services)
        self._working = True
        if self.settings.run_background:
            self._tasks.append(asyncio.create_task(self.delivery.run(), name="delivery"))
            await self.scheduler.start()
        if not self.settings.webhook_url:
            self._tasks.append(asyncio.create_task(self._poll(), name="polling"))

    async def _serve_http(self) -> None:
        runner = web.AppRunner(
            build_web_app(self.settings, self.dispatcher, self.bot, self.services), access_log=None
        )
        await runner.setup()
        self._stack.push_async_callback(runner.cleanup)
        host, port = self.settings.http_host, self.settings.http_port
        site = web.TCPSite(runner, host, port)
        try:
            await site.start()
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                raise PortInUse(host=host, port=port) from None
            raise CannotListen(host=host, port=port, reason=error.strerror or error) from None
        self.http_port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def _greet_telegram(self, i18n: I18n) -> None:
        """getMe (which proves the token), the command menu, and the webhook or its removal. While the
        Bot API cannot be reached, try again with a growing pause, one line of log each time."""
        backoff = Backoff(TELEGRAM_RETRY)
        url = self.settings.telegram_api_url
        while True:
            try:
                await self.bot.me()
                await publish_commands(self.bot, i18n)
                await publish_team_commands(self.bot, i18n, self.services.users)
                await self._receive_updates()
                return
            except (TelegramUnauthorizedError, TelegramNotFound) as error:
                raise TokenRefused(url=url, reason=error.message) from None
            except TelegramRetryAfter as error:
                delay: float = error.retry_after
                reason = error.message
            except (TelegramNetworkError, TelegramServerError) as error:
                delay = next(backoff)
                reason = error.message
            except ClientDecodeError:  # e.g. a proxy's error page while the Bot API server restarts
                delay = next(backoff)
                reason = self._translate(N_("the answer is not the Bot API's"))
            except TelegramAPIError as error:  # anything else Telegram answers at start is no passing trouble
                raise TelegramRefuses(
                    url=url, method=error.method.__api_method__, reason=error.message
                ) from None
            unreachable = TelegramUnreachable(url=url, reason=" ".join(reason.split()), seconds=round(delay))
            log.warning("%s", unreachable.render(self._translate))
            await asyncio.sleep(delay)

    async def _receive_updates(self) -> None:
        """Set the webhook, or remove one left from an earlier run so that polling gets the updates."""
        if not self.settings.webhook_url:
            await self.bot.delete_webhook(drop_pending_updates=False)
            return
        try:
            await self.bot.set_webhook(
                self.settings.webhook_url,
                secret_token=webhook_secret(self.settings),
                allowed_updates=self.dispatcher.resolve_used_update_types(),
            )
        except TelegramBadRequest as error:
            raise WebhookRefused(url=self.settings.webhook_url, reason=error.message) from None

    async def _poll(self) -> None:
        await self.dispatcher.start_polling(
            self.bot,
            handle_signals=False,
            close_bot_session=False,
            allowed_updates=self.dispatcher.resolve_used_update_types(),
        )

    async def stop(self) -> None:
        if self._working:
            self._working = False
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


async def run_application(settings: Settings, translate: Callable[[str], str]) -> None:
    """Run until SIGINT/SIGTERM, then stop cleanly (nothing acknowledged is lost: it is committed).
    Ctrl-C also works while the start waits for the Bot API."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)  # not "Context impl SQLiteImpl." on every start
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    application = Application(settings, translate=translate)
    starting = asyncio.create_task(application.start())
    stopping = asyncio.create_task(stop.wait())
    await asyncio.wait({starting, stopping}, return_when=asyncio.FIRST_COMPLETED)
    if not starting.done():
        starting.cancel()  # start() stops what it had started
        with contextlib.suppress(asyncio.CancelledError):
            await starting
        log.info("%s", translate(N_("leadbot stopped")))
        return
    stopping.cancel()
    starting.result()  # a refusal at start: nothing is left running
    try:
        log.info("%s", translate(N_("leadbot is running; Ctrl-C stops it")))
        await stop.wait()
    finally:
        await application.stop()
    log.info("%s", translate(N_("leadbot stopped")))
