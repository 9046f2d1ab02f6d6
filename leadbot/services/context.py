from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from leadbot.clock import Clock, SystemClock
from leadbot.config import Settings


@dataclass(frozen=True)
class ServiceContext:
    """What every service needs: a session factory, the settings and a clock."""

    sessions: async_sessionmaker[AsyncSession]
    settings: Settings
    clock: Clock = field(default_factory=SystemClock)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """One session, one transaction: committed when the block ends, rolled back on an error."""
        async with self.sessions() as session, session.begin():
            yield session

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[AsyncSession]:
        async with self.sessions() as session:
            yield session
