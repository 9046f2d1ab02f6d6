"""Assembles the dispatcher: middlewares in order (actor → locale → access) and every router."""

from __future__ import annotations

from aiogram import Dispatcher, Router
from aiogram.utils.callback_answer import CallbackAnswerMiddleware

from handlers import start
from handlers.i18n import LocaleMiddleware, build_i18n
from handlers.middlewares import ActorMiddleware, RegisteredOnly
from leadbot.config import Settings
from leadbot.services.registry import Services


def team_router() -> Router:
    """Everything only registered users may touch."""
    router = Router(name="team")
    router.message.outer_middleware(RegisteredOnly())
    router.callback_query.outer_middleware(RegisteredOnly())
    return router


def build_dispatcher(services: Services, settings: Settings) -> Dispatcher:
    dispatcher = Dispatcher(services=services, settings=settings)
    dispatcher.update.outer_middleware(ActorMiddleware(services))
    LocaleMiddleware(build_i18n(settings.locale)).setup(dispatcher)
    dispatcher.callback_query.middleware(CallbackAnswerMiddleware())
    dispatcher.include_routers(start.router(), team_router())
    return dispatcher
