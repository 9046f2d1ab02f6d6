"""Telegram updates in webhook mode: aiogram's handler behind two checks that keep forged or broken posts
from becoming 500s. The secret is compared as bytes (aiogram's comparison of str raises on non-ASCII), and
the body must be a JSON object with an integer update_id before aiogram reads it (again: aiohttp keeps
the body, and it parses the same way now that it is known to parse)."""

from __future__ import annotations

import hmac

from aiogram import Bot
from aiogram.webhook.aiohttp_server import SimpleRequestHandler
from aiohttp import web

from leadbot.intake.json_body import BadRequest, header_bytes, json_object, problem

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


class TelegramWebhook(SimpleRequestHandler):
    def verify_secret(self, telegram_secret_token: str, bot: Bot) -> bool:
        if not self.secret_token:
            return True
        return hmac.compare_digest(header_bytes(telegram_secret_token), self.secret_token.encode())

    async def handle(self, request: web.Request) -> web.Response:
        if not self.verify_secret(request.headers.get(SECRET_HEADER, ""), self.bot):
            return problem(401, f"a valid {SECRET_HEADER} header is required")
        try:
            update = await json_object(request)
        except BadRequest as bad:
            return bad.response
        if type(update.get("update_id")) is not int:
            return problem(400, "not a Telegram update", {"update_id": "an integer is required"})
        return await super().handle(request)
