from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from leadbot.clock import Clock, SystemClock, Unsubscribe
from leadbot.config import Settings

OUTBOX_WRITTEN = "leadbot.outbox_written"  # session.info key: this transaction added outbox rows


class Bell:
    """Rung (in the event loop) after a transaction that wrote outbox rows has committed: the delivery
    worker listens, so a message goes out when it is committed, not at the next look at the table."""

    def __init__(self) -> None:
        self._listeners: list[Callable[[], None]] = []

    def listen(self, listener: Callable[[], None]) -> Unsubscribe:
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    def ring(self) -> None:
        for listener in list(self._listeners):
            listener()


def note_outbox_written(session: AsyncSession) -> None:
    """Say that this transaction adds outbox rows: the bell rings once it commits."""
    session.info[OUTBOX_WRITTEN] = True


@dataclass(frozen=True)
class ServiceContext:
    """What every service needs: a session factory, the settings and a clock."""

    sessions: async_sessionmaker[AsyncSession]
    settings: Settings
    clock: Clock = field(default_factory=SystemClock)
    outbox_bell: Bell = field(default_factory=Bell, compare=False)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """One session, one transaction: committed when the block ends, rolled back on an error. If it
        wrote outbox rows, the outbox bell rings after the commit."""
        async with self.sessions() as session:
            async with session.begin():
                yield session
            if session.info.pop(OUTBOX_WRITTEN, False):
                self.outbox_bell.ring()

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[AsyncSession]:
        async with self.sessions() as session:
            yield session
