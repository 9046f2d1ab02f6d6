"""Rows Telegram has accepted but the database has not yet recorded as sent (a full disk, a lost connection).

They are held in memory so the worker does not send them again, recorded before every pass until the
database takes them, and forgotten after MARK_MEMORY: then the row may go out twice, which beats holding
it forever or never sending it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from leadbot.services.delivery_store import DeliveryStore

log = logging.getLogger("leadbot.delivery")

MARK_MEMORY = timedelta(minutes=10)


@dataclass(frozen=True)
class Posted:
    """The message a lead alert became: the lead's live card in that chat from now on."""

    lead_id: int
    chat_id: int
    message_id: int


@dataclass(frozen=True)
class Sent:
    """What to record about rows that need no more sending (delivered, or given up with `error`)."""

    row_ids: tuple[int, ...]
    at: datetime
    error: str | None = None
    card: Posted | None = None

    async def record(self, store: DeliveryStore) -> None:
        if self.card is None:
            await store.mark_sent(self.row_ids, self.at, error=self.error)
        else:
            await store.mark_posted(
                self.row_ids, self.card.lead_id, self.card.chat_id, self.card.message_id, self.at
            )


class PendingMarks:
    def __init__(self, store: DeliveryStore) -> None:
        self._store = store
        self._held: list[Sent] = []

    def __contains__(self, row_id: int) -> bool:
        return any(row_id in sent.row_ids for sent in self._held)

    async def record(self, sent: Sent) -> None:
        """Record the rows as sent; if the database refuses, hold on to them instead of failing."""
        try:
            await sent.record(self._store)
        except Exception as error:  # whatever the database says, these rows must not go out again
            log.warning(
                "could not record rows %s as sent (%s); holding them as sent meanwhile",
                list(sent.row_ids),
                str(error).partition("\n")[0],
            )
            self._held.append(sent)

    async def retry(self, now: datetime) -> None:
        held, self._held = self._held, []
        for sent in held:
            if now - sent.at > MARK_MEMORY:
                log.warning("gave up recording rows %s as sent; they may be sent again", list(sent.row_ids))
                continue
            try:
                await sent.record(self._store)
            except Exception:  # still refused: keep holding, quietly (the first refusal was logged)
                self._held.append(sent)
            else:
                log.info("recorded rows %s as sent after all", list(sent.row_ids))
