"""Nightly housekeeping: forget abandoned dialogs, drop old delivered messages, refresh planner statistics."""

from __future__ import annotations

import logging
from dataclasses import astuple, dataclass
from datetime import timedelta

from db.statistics import refresh_statistics
from leadbot.delivery.store import DeliveryStore
from leadbot.services.context import ServiceContext
from leadbot.services.dialogs import DialogStore

log = logging.getLogger("leadbot.maintenance")
KEEP_SENT_MESSAGES = timedelta(days=30)  # delivered outbox rows stay this long, for looking into complaints


@dataclass(frozen=True)
class Housekeeping:
    dialogs_forgotten: int
    messages_purged: int


class Maintenance:
    def __init__(self, ctx: ServiceContext, dialogs: DialogStore, delivery: DeliveryStore) -> None:
        self._ctx = ctx
        self._dialogs = dialogs
        self._delivery = delivery

    async def nightly(self) -> Housekeeping:
        done = Housekeeping(
            dialogs_forgotten=await self._dialogs.purge_expired(),
            messages_purged=await self._delivery.purge_sent(self._ctx.clock.now() - KEEP_SENT_MESSAGES),
        )
        async with self._ctx.transaction() as session:
            await refresh_statistics(session)  # a day of new leads may change which index fits a report
        log.info("nightly: %d dialog(s) forgotten, %d sent message(s) purged", *astuple(done))
        return done
