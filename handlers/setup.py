"""Assembles the dispatcher: middlewares in order (actor → locale → access), refusals, every router, and
the workflow data handlers take by name (each service, the clock, the settings, the renderer)."""

from __future__ import annotations

from typing import Any

from aiogram import Dispatcher, Router
from aiogram.utils.i18n import I18n

from handlers import (
    admin,
    browse,
    dialogs,
    files,
    lead_actions,
    new_lead,
    refusals,
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
from handlers.response_models import keep_response_models
from leadbot.config import Settings as AppSettings
from leadbot.intake.table_import import TableImport
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


def workflow_data(services: Services, settings: AppSettings, renderer: TelegramRenderer) -> dict[str, Any]:
    """What a handler may name among its parameters."""
    return {
        "imports": TableImport(services.imports),
        "leads": services.leads,
        "conversion": services.conversion,
        "users": services.users,
        "directories": services.directories,
        "exclusions": services.exclusions,
        "history": services.history,
        "queries": services.queries,
        "delivery": services.delivery,
        "activities": services.activities,
        "exports": services.exports,
        "forms": services.forms,
        "reports": services.reports,
        "clock": services.clock,
        "settings": settings,
        "renderer": renderer,
        "strangers": StrangerRefusals(services.clock),
    }


def build_dispatcher(
    services: Services, settings: AppSettings, i18n: I18n, renderer: TelegramRenderer
) -> Dispatcher:
    keep_response_models()
    storage = DatabaseStorage(services.dialogs, services.arrivals)
    dispatcher = Dispatcher(
        storage=storage, disable_fsm=True, **workflow_data(services, settings, renderer)
    )  # aiogram's FSM middleware is added below, after the actor's, which reads the state for it
    dispatcher.update.outer_middleware(DropRepeatedUpdates())
    dispatcher.update.outer_middleware(ActorMiddleware(services.users, storage, dispatcher.fsm))
    dispatcher.update.outer_middleware(dispatcher.fsm)
    LocaleMiddleware(i18n).setup(dispatcher)
    refusals.setup(dispatcher)
    dispatcher.include_routers(start.router(), team_router())
    return dispatcher
