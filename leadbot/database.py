"""Opening the database: engine, migrations to head, default directories."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncEngine

from db.engine import create_engine, create_session_factory
from db.migrate import upgrade
from db.statistics import refresh_statistics
from leadbot.clock import Clock, SystemClock
from leadbot.config import Settings
from leadbot.seed import seed_directories
from leadbot.services.context import ServiceContext


async def prepare(engine: AsyncEngine) -> None:
    """Apply migrations and seed directories; safe to run on every start."""
    await upgrade(engine)
    async with create_session_factory(engine)() as session, session.begin():
        await seed_directories(session)
        await refresh_statistics(session)


@asynccontextmanager
async def open_database(
    settings: Settings, clock: Clock | None = None, *, migrate: bool = True
) -> AsyncIterator[ServiceContext]:
    engine = create_engine(settings.database_url)
    try:
        if migrate:
            await prepare(engine)
        yield ServiceContext(create_session_factory(engine), settings, clock or SystemClock())
    finally:
        await engine.dispose()
