from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from leadbot.clock import Clock
from leadbot.config import Settings
from leadbot.database import open_database
from leadbot.services.activities import ActivityService
from leadbot.services.arrival import Arrivals
from leadbot.services.calls import CallService
from leadbot.services.context import ServiceContext
from leadbot.services.conversion import ConversionService
from leadbot.services.delivery_store import DeliveryStore
from leadbot.services.dialogs import DialogStore
from leadbot.services.directories import DirectoryService
from leadbot.services.exclusions import ExclusionService
from leadbot.services.exports import ExportService
from leadbot.services.forms import FormService
from leadbot.services.history import HistoryService
from leadbot.services.imports import ImportService
from leadbot.services.leads import LeadService
from leadbot.services.maintenance import Maintenance
from leadbot.services.nudges import NudgeService
from leadbot.services.queries import LeadQueries
from leadbot.services.reports import ReportService
from leadbot.services.users import UserService


@dataclass(frozen=True)
class Services:
    """Every service over one context, built once by the composition root (leadbot/app.py); the intake
    server takes it whole, the bot hands each handler the members it names."""

    ctx: ServiceContext
    leads: LeadService
    conversion: ConversionService
    users: UserService
    directories: DirectoryService
    exclusions: ExclusionService
    history: HistoryService
    queries: LeadQueries
    delivery: DeliveryStore
    dialogs: DialogStore
    arrivals: Arrivals
    activities: ActivityService
    nudges: NudgeService
    calls: CallService
    imports: ImportService
    exports: ExportService
    forms: FormService
    reports: ReportService
    maintenance: Maintenance

    @property
    def clock(self) -> Clock:
        """The application's clock, for those that read the time without a service (the bot's screens)."""
        return self.ctx.clock

    @classmethod
    def build(cls, ctx: ServiceContext) -> Services:
        leads = LeadService(ctx)
        delivery = DeliveryStore(ctx)
        dialogs = DialogStore(ctx)
        forms = FormService(ctx, leads)
        return cls(
            ctx=ctx,
            leads=leads,
            conversion=ConversionService(ctx),
            users=UserService(ctx),
            directories=DirectoryService(ctx),
            exclusions=ExclusionService(ctx),
            history=HistoryService(ctx),
            queries=LeadQueries(ctx),
            delivery=delivery,
            dialogs=dialogs,
            arrivals=Arrivals(ctx),
            activities=ActivityService(ctx),
            nudges=NudgeService(ctx),
            calls=CallService(ctx, leads),
            imports=ImportService(ctx),
            exports=ExportService(ctx),
            forms=forms,
            reports=ReportService(ctx),
            maintenance=Maintenance(ctx, dialogs, delivery, forms),
        )


@asynccontextmanager
async def open_services(
    settings: Settings, clock: Clock | None = None, *, must_exist: bool = False
) -> AsyncIterator[Services]:
    """The database (migrated, seeded) and every service over it: what the bot and each command run on.
    `must_exist` as in open_database."""
    async with open_database(settings, clock, must_exist=must_exist) as ctx:
        yield Services.build(ctx)
