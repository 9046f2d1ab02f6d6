"""Assembles the dispatcher: middlewares in order (actor → locale → access) and every router."""

from __future__ import annotations

from aiogram import Dispatcher, Router
from aiogram.utils.i18n import I18n

from handlers import (
    admin,
    browse,
    dialogs,
    files,
    lead_actions,
    new_lead,
    reminders,
    reports,
    settings,
    start,
    stray,
)
from handlers.dialog_storage import DatabaseStorage
from handlers.i18n import LocaleMiddleware
from handlers.middlewares import ActorMiddleware, DropRepeatedUpdates, RegisteredOnly, StrangerRefusals
from handlers.outbox_renderer import TelegramRenderer
from leadbot.config import Settings as AppSettings
from leadbot.services.registry import Services


def team_router() -> Router:
    """Everything only registered users may touch."""
    router = Router(name="team")
    router.message.outer_middleware(RegisteredOnly())
    router.callback_query.outer_middleware(RegisteredOnly())
    router.include_routers(
        dialogs.router(),
        new_lead.router(),
        browse.router(),
        lead_actions.router(),
        reminders.router(),
        files.router(),
        reports.router(),
        admin.router(),
        settings.router(),
        stray.router(),
    )
    return router


def build_dispatcher(services: Services, settings: AppSettings, i18n: I18n) -> Dispatcher:
    renderer = TelegramRenderer(services, i18n, settings)
    dispatcher = Dispatcher(
        storage=DatabaseStorage(services.dialogs),
        services=services,
        settings=settings,
        renderer=renderer,
        strangers=StrangerRefusals(services.ctx.clock),
    )
    dispatcher.update.outer_middleware(DropRepeatedUpdates())
    dispatcher.update.outer_middleware(ActorMiddleware(services))
    LocaleMiddleware(i18n).setup(dispatcher)
    dispatcher.include_routers(start.router(), team_router())
    return dispatcher
