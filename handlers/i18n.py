"""gettext i18n (aiogram's I18n) with the locale chosen per user: their setting, Telegram's, LOCALE."""

from __future__ import annotations

from typing import Any

from aiogram.types import TelegramObject, User
from aiogram.utils.i18n import I18n, I18nMiddleware, ngettext
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import lazy_gettext as __
from aiogram.utils.i18n.context import get_i18n

from leadbot.actor import Actor
from leadbot.translations import DOMAIN, LANGUAGES, LOCALES_DIR

__all__ = [
    "DOMAIN",
    "LANGUAGES",
    "LOCALES_DIR",
    "LocaleMiddleware",
    "_",
    "__",
    "build_i18n",
    "current_locale",
    "ngettext",
]


def current_locale() -> str:
    return get_i18n().current_locale


def build_i18n(default_locale: str) -> I18n:
    return I18n(path=LOCALES_DIR, default_locale=default_locale, domain=DOMAIN)


def pick_locale(actor: Actor | None, user: User | None, default: str) -> str:
    if actor is not None and actor.language in LANGUAGES:
        return actor.language
    code = (user.language_code or "")[:2].lower() if user is not None else ""
    return code if code in LANGUAGES else default


class LocaleMiddleware(I18nMiddleware):
    async def get_locale(self, event: TelegramObject, data: dict[str, Any]) -> str:
        return pick_locale(data.get("me"), data.get("event_from_user"), self.i18n.default_locale)
