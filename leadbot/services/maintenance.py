"""Nightly housekeeping: forget abandoned dialogs, old delivered messages and spent form hits; refresh the
planner statistics."""

from __future__ import annotations

import logging
from dataclasses import astuple, dataclass
from datetime import timedelta

from db.statistics import refresh_statistics
from leadbot.services.context import ServiceContext
from leadbot.services.delivery_store import DeliveryStore
from leadbot.services.dialogs import DialogStore
from leadbot.services.forms import WINDOW, FormService

log = logging.getLogger("leadbot.maintenance")
KEEP_SENT_MESSAGES = timedelta(days=30)  # delivered outbox rows stay this long, for looking into complaints


@dataclass(frozen=True)
class Housekeeping:
    dialogs_forgotten: int
    messages_purged: int
    form_hits_purged: int


class Maintenance:
    def __init__(
        self, ctx: ServiceContext, dialogs: DialogStore, delivery: DeliveryStore, forms: FormService
    ) -> None:
        self._ctx = ctx
        self._dialogs = dialogs
        self._delivery = delivery
        self._forms = forms

    async def nightly(self) -> Housekeeping:
        now = self._ctx.clock.now()
        done = Housekeeping(
            dialogs_forgotten=await self._dialogs.purge_expired(),
            messages_purged=await self._delivery.purge_sent(now - KEEP_SENT_MESSAGES),
            form_hits_purged=await self._forms.purge_hits(now - WINDOW),
        )
        async with self._ctx.transaction() as session:
            await refresh_statistics(session)  # a day of new leads may change which index fits a report
        log.info("nightly: %d dialog(s), %d sent message(s), %d form hit(s) purged", *astuple(done))
        return done
