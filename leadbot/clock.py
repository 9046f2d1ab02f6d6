"""Time source. Everything that asks "what time is it" asks a Clock, so tests control time without sleeping.

Services, the delivery worker and the scheduler's timers all read the same clock: a frozen clock
freezes all of them, and moving it wakes the scheduler (see `Clock.on_jump`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Protocol

Unsubscribe = Callable[[], None]


class Clock(Protocol):
    def now(self) -> datetime: ...

    def on_jump(self, listener: Callable[[], None]) -> Unsubscribe:
        """Call `listener` whenever the time moves other than by flowing (a test clock being set)."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)

    def on_jump(self, listener: Callable[[], None]) -> Unsubscribe:
        """The system clock only flows, so there is nothing to tell."""
        return lambda: None


class FrozenClock:
    """A clock that stands still until moved; for tests and benchmarks."""

    def __init__(self, start: datetime) -> None:
        self._now = start
        self._listeners: list[Callable[[], None]] = []

    def now(self) -> datetime:
        return self._now

    def advance(self, delta: timedelta) -> None:
        self.set(self._now + delta)

    def set(self, moment: datetime) -> None:
        self._now = moment
        for listener in list(self._listeners):
            listener()

    def on_jump(self, listener: Callable[[], None]) -> Unsubscribe:
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)
