"""The process's HTTP server (HTTP_HOST:HTTP_PORT): health check and, in webhook mode, Telegram updates.
The intake API mounts its routes here too."""

from __future__ import annotations

import hashlib
from urllib.parse import urlsplit

from aiogram import Bot, Dispatcher
from aiohttp import web

from handlers.webhook import TelegramWebhook
from leadbot.config import Settings
from leadbot.intake.api import mount_api
from leadbot.intake.forms import mount_forms
from leadbot.services.registry import Services

DEFAULT_WEBHOOK_PATH = "/telegram/webhook"
MAX_BODY = 1024 * 1024  # a bigger body is answered 413


def webhook_path(settings: Settings) -> str:
    path = urlsplit(settings.webhook_url or "").path
    return path if path and path != "/" else DEFAULT_WEBHOOK_PATH


def webhook_secret(settings: Settings) -> str:
    """The X-Telegram-Bot-Api-Secret-Token: WEBHOOK_SECRET, or one derived from the bot token
    (stable across restarts, unguessable without the token)."""
    if settings.webhook_secret:
        return settings.webhook_secret
    return hashlib.sha256(f"leadbot-webhook:{settings.bot_token}".encode()).hexdigest()[:48]


async def healthz(_request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


def build_web_app(
    settings: Settings, dispatcher: Dispatcher, bot: Bot, services: Services
) -> web.Application:
    app = web.Application(client_max_size=MAX_BODY)
    app.router.add_get("/healthz", healthz)
    mount_api(app, services)
    mount_forms(app, services)
    if settings.webhook_url:
        handler = TelegramWebhook(dispatcher=dispatcher, bot=bot, secret_token=webhook_secret(settings))
        handler.register(app, path=webhook_path(settings))
    return app
