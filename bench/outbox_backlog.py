"""Benchmark: a backlog of one chat against a message to another.

Run: .venv/bin/python -m bench.outbox_backlog [BACKLOG]
A group has BACKLOG nudges queued (Telegram lets 20 a minute go to a group); then one message is queued for
a private chat. The delivery worker is driven pass by pass on a virtual application clock (each pass rests
as long as the worker asks), so the figures are the time Telegram's limits impose, not this machine's
speed: how long (application time) the private message waits, and how many passes that took. Before: the
pending rows chosen as before issue 14 (the oldest 500 of all chats); after: fairly across chats. Each
variant also prints the median real time of one pass (reading the pending rows with the backlog there).
"""

from __future__ import annotations

import asyncio
import itertools
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

from aiogram import Bot
from sqlalchemy import or_, select

from db.models import Outbox
from leadbot.clock import FrozenClock
from leadbot.config import Settings
from leadbot.delivery.limits import RateLimits
from leadbot.delivery.worker import DeliveryWorker
from leadbot.rendering import Rendered
from leadbot.services import outbox
from leadbot.services.delivery_store import DeliveryStore
from leadbot.services.registry import open_services

GROUP = -1001234567890
PRIVATE = 3001
LONGEST = timedelta(hours=6)  # give up (and say so) past this much application time
TIMED_PASSES = 20  # at least this many passes are made (and timed), whenever the private message goes


class OldestFirst(DeliveryStore):
    """The choice before issue 14: the oldest 500 unsent rows, whatever their chat."""

    async def pending(self, now: datetime, limit: int = 500) -> Sequence[Outbox]:
        async with self._ctx.reading() as session:
            due = or_(Outbox.not_before.is_(None), Outbox.not_before <= now)
            rows = await session.scalars(
                select(Outbox).where(Outbox.sent_at.is_(None), due).order_by(Outbox.id).limit(limit)
            )
            return rows.all()


class Sink:
    """A Bot API that accepts every message at once (the worker's pace is all that is measured)."""

    def __init__(self) -> None:
        self.chats: list[int] = []
        self._ids = itertools.count(1)

    async def send_message(self, chat_id: int, text: str, **_: Any) -> SimpleNamespace:
        self.chats.append(chat_id)
        return SimpleNamespace(message_id=next(self._ids))


class Plain:
    async def message(
        self, kind: str, payload: dict[str, Any], lead_id: int | None, chat_id: int
    ) -> Rendered:
        return Rendered(f"{kind} {payload}")

    async def lead_card(self, lead_id: int, chat_id: int, note: dict[str, Any] | None = None) -> Rendered:
        raise NotImplementedError

    async def digest(self, lead_ids: Sequence[int], chat_id: int) -> Rendered:
        raise NotImplementedError


async def wait_of_private(backlog: int, store_class: type[DeliveryStore]) -> tuple[timedelta, int, float]:
    """Application time the private message waited, passes made, median real seconds per pass."""
    clock = FrozenClock(datetime(2026, 1, 5, 9, tzinfo=UTC))
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(_env_file=None, database_url=f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}")
        async with open_services(settings, clock) as services:
            async with services.ctx.transaction() as session:
                for number in range(backlog):
                    outbox.message(session, outbox.OutboxKind.NOTICE, GROUP, key="nudge", number=number)
                outbox.message(session, outbox.OutboxKind.NOTICE, PRIVATE, key="private")
            sink = Sink()
            worker = DeliveryWorker(
                cast(Bot, sink),
                store_class(services.ctx),
                Plain(),
                clock=clock,
                limits=RateLimits(monotonic=lambda: clock.now().timestamp()),
            )
            start, waited, spent = clock.now(), None, []
            while (waited is None or len(spent) < TIMED_PASSES) and clock.now() - start < LONGEST:
                began = time.perf_counter()
                rest = await worker.step()
                spent.append(time.perf_counter() - began)
                if waited is None and PRIVATE in sink.chats:
                    waited, passes = clock.now() - start, len(spent)
                clock.advance(timedelta(seconds=rest))
            if waited is None:
                return LONGEST, len(spent), statistics.median(spent)
            return waited, passes, statistics.median(spent)


async def main(backlog: int) -> None:
    print(f"{backlog} nudges queued for one group, then one message for a private chat (SQLite)")
    for name, store_class in (("before (oldest 500)", OldestFirst), ("after (fair by chat)", DeliveryStore)):
        waited, passes, per_pass = await wait_of_private(backlog, store_class)
        print(
            f"{name:22} the private message waited {waited.total_seconds():8.1f} s of application time, "
            f"{passes} passes, {per_pass * 1000:.1f} ms per pass (median, real)"
        )


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000))
