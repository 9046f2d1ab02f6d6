"""The delivery worker: sends outbox rows within Telegram's limits, retries, survives restarts.

A row is marked sent in its own short transaction right after Telegram accepts it; if that commit fails,
the row is held in memory as sent (see marks.py), so the only window for a double send is a crash between
Telegram's answer and the commit. Every failure is classified in failures.py: dropped, followed to a
supergroup, or retried with backoff, never in a hot loop. Under a burst, pending alerts for one group are
folded into a digest; several pending edits of one card are sent once, in the latest state.

The worker is woken by the commit of new rows (the outbox bell) and by a jump of the application clock; it
looks again by itself only when a backed-off row falls due, when a chat's limit lets its next message go,
and every SAFETY_POLL (rows written by another process). Rows are taken fairly across chats (see
DeliveryStore.pending), and an edit is not held back by the one-message-a-second rule for new messages.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime, timedelta

from aiogram import Bot

from db.models import Outbox
from leadbot.clock import Clock, SystemClock
from leadbot.delivery.failures import Failure, Verdict, classify
from leadbot.delivery.limits import CHAT_INTERVAL, RateLimits, is_group
from leadbot.delivery.marks import PendingMarks, Posted, Sent
from leadbot.rendering import Rendered, Renderer
from leadbot.services.delivery_store import CARD_EDIT, PARTS_SENT, DeliveryStore
from leadbot.services.outbox import OutboxKind
from leadbot.text_split import split_html

log = logging.getLogger("leadbot.delivery")

DIGEST_THRESHOLD = 5
PENDING_BATCH = 500  # rows read per pass, fairly across chats
SAFETY_POLL = 2.0  # seconds: look anyway now and then (rows written by another instance, held marks)
SHORTEST_REST = 0.05  # seconds: a row due "now" on a clock that stands still must not spin the loop
FIRST_RETRY = 0.2  # seconds: the rest after a failed pass, doubled after each further one…
MAX_REST = 30.0  # …up to this, while passes keep failing (the database is down, say)


class DeliveryWorker:
    def __init__(
        self,
        bot: Bot,
        store: DeliveryStore,
        renderer: Renderer,
        *,
        clock: Clock | None = None,
        limits: RateLimits | None = None,
        request_timeout: float = 15.0,
    ) -> None:
        self._bot = bot
        self._store = store
        self._renderer = renderer
        self._clock = clock or SystemClock()
        self._limits = limits or RateLimits()
        self._timeout = request_timeout
        self._stopping = asyncio.Event()
        self._wake = asyncio.Event()  # outbox rows were committed, or the clock jumped
        self._marks = PendingMarks(store)
        self._moved: dict[int, int] = {}  # group -> the supergroup it became, for the rest of the process
        self._failed_passes = 0

    async def run(self) -> None:
        """Pass after pass; between them, rest until rows are committed, the clock jumps, the next row
        falls due or a chat's limit lets its next message go (at most SAFETY_POLL)."""
        unsubscribe = (self._store.on_outbox_written(self._wake.set), self._clock.on_jump(self._wake.set))
        try:
            while not self._stopping.is_set():
                await self._rest(await self.step())
        finally:
            for stop_listening in unsubscribe:
                stop_listening()

    def stop(self) -> None:
        self._stopping.set()

    async def _rest(self, seconds: float) -> None:
        waits = [asyncio.ensure_future(self._wake.wait()), asyncio.ensure_future(self._stopping.wait())]
        await asyncio.wait(waits, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
        for waiting in waits:
            waiting.cancel()

    async def step(self) -> float:
        """One pass over the queue; returns the seconds to rest before the next, longer while passes fail."""
        try:
            rest = await self.tick()
        except Exception:  # a database hiccup must not stop delivery, nor fill the log while it lasts
            self._failed_passes += 1
            if self._failed_passes == 1:
                log.exception("delivery pass failed; retrying with backoff")
            return min(FIRST_RETRY * 2**self._failed_passes, MAX_REST)
        if self._failed_passes:
            log.info("delivery works again after %d failed passes", self._failed_passes)
            self._failed_passes = 0
        return rest

    async def tick(self) -> float:
        """Send what is due and allowed now; returns the seconds until there may be more to send."""
        self._wake.clear()  # rows committed from now on wake the next pass; those before are read by this one
        now = self._clock.now()
        await self._marks.retry(now)
        await self._store.expand_refreshes(now)
        rows, full = await self._pending(now)
        by_chat: dict[int, list[Outbox]] = defaultdict(list)
        for row in rows:
            if row.chat_id is not None:
                by_chat[row.chat_id].append(row)
        rest = CHAT_INTERVAL if full else SAFETY_POLL  # a full batch: more rows wait beyond it
        for chat_id, chat_rows in by_chat.items():
            if self._stopping.is_set():
                return 0.0
            left = await self._send_chat(chat_id, chat_rows)
            rest = min(rest, SAFETY_POLL if left is None else left)
        due = await self._store.next_due(now)
        if due is not None:
            rest = min(rest, (due - now).total_seconds())
        return max(rest, SHORTEST_REST)

    async def _pending(self, now: datetime) -> tuple[list[Outbox], bool]:
        """Rows due now, except those already sent, and whether the batch was full; rows for a group that
        moved are sent to its supergroup."""
        rows = await self._store.pending(now, PENDING_BATCH)
        moved = {r.chat_id: self._moved[r.chat_id] for r in rows if r.chat_id in self._moved}
        for old, new in moved.items():
            await self._store.move_chat(old, new, now)
        if moved:
            rows = await self._store.pending(now, PENDING_BATCH)
        return [r for r in rows if r.id not in self._marks], len(rows) >= PENDING_BATCH

    async def _send_chat(self, chat_id: int, rows: list[Outbox]) -> float | None:
        """Send what the chat's limits allow now: its next new message, then the edits of its cards (edits
        are not held by the chat's interval, so they go in the same pass; sent first, they would restart
        that interval and keep new messages waiting while cards keep changing). Returns the seconds until
        the rest may go (None: nothing left)."""
        news = [r for r in rows if r.kind != CARD_EDIT]
        if news and self._limits.ready(chat_id):
            news = await self._send_new(chat_id, news)
        cards: dict[int, list[Outbox]] = defaultdict(list)
        for row in rows:
            if row.kind == CARD_EDIT:
                cards[row.payload["message_id"]].append(row)
        for message_id, same_card in list(cards.items()):
            if self._limits.ready(chat_id, edit=message_id):
                await self._edit_card(chat_id, message_id, same_card)
                del cards[message_id]
        waits = [self._limits.wait(chat_id, edit=message_id) for message_id in cards]
        waits += [self._limits.wait(chat_id)] if news else []
        return min(waits, default=None)

    async def _edit_card(self, chat_id: int, message_id: int, same_card: list[Outbox]) -> None:
        """Several pending edits of one card go as one, in the latest state."""
        latest = same_card[-1]
        await self._deliver(
            same_card,
            chat_id,
            lambda: self._renderer.lead_card(latest.lead_id or 0, chat_id, latest.payload),
            edit_message_id=message_id,
        )

    async def _send_new(self, chat_id: int, rows: list[Outbox]) -> list[Outbox]:
        """Send the chat's next new message (in a busy group, a digest of its alerts); returns the rest."""
        alerts = [r for r in rows if r.kind == OutboxKind.LEAD_ALERT]
        if is_group(chat_id) and len(alerts) >= DIGEST_THRESHOLD:
            lead_ids = [r.lead_id for r in alerts if r.lead_id is not None]
            await self._deliver(alerts, chat_id, lambda: self._renderer.digest(lead_ids, chat_id))
            return [r for r in rows if r.kind != OutboxKind.LEAD_ALERT]
        row, *left = rows
        if row.kind == OutboxKind.LEAD_ALERT:
            await self._deliver(
                [row], chat_id, lambda: self._renderer.lead_card(row.lead_id or 0, chat_id), post=row
            )
        else:
            await self._deliver(
                [row], chat_id, lambda: self._renderer.message(row.kind, row.payload, row.lead_id, chat_id)
            )
        return left

    async def _deliver(
        self,
        rows: Sequence[Outbox],
        chat_id: int,
        render: Callable[[], Awaitable[Rendered | None]],
        *,
        edit_message_id: int | None = None,
        post: Outbox | None = None,
    ) -> None:
        ids = tuple(r.id for r in rows)
        self._limits.spend(chat_id)
        try:
            rendered = await render()
            if rendered is None:  # nothing to say any more (a deleted reminder, a lead taken meanwhile)
                await self._marks.record(Sent(ids, self._clock.now(), error="obsolete"))
                return
            if edit_message_id is None:
                message_id = await self._send_in_parts(rows[0], chat_id, rendered)
            else:
                message_id = await self._edit(chat_id, rendered, edit_message_id)
        except Exception as error:  # every failure is classified; none may stop delivery
            await self._failed(rows, chat_id, classify(error), edit_message_id)
            return
        self._limits.touch(chat_id, message_id)
        card = Posted(post.lead_id, chat_id, message_id) if post is not None and post.lead_id else None
        await self._marks.record(Sent(ids, self._clock.now(), card=card))

    async def _edit(self, chat_id: int, rendered: Rendered, message_id: int) -> int:
        await self._bot.edit_message_text(
            text=rendered.text,
            chat_id=chat_id,
            message_id=message_id,
            reply_markup=rendered.markup,
            request_timeout=int(self._timeout),
        )
        return message_id

    async def _send_in_parts(self, row: Outbox, chat_id: int, rendered: Rendered) -> int:
        """Send a message, cut into parts Telegram accepts; the buttons go on the last part.

        Parts already sent by an earlier, failed attempt are not sent again. Returns the last part's id.
        """
        *first, last = split_html(rendered.text)
        for number, part in enumerate(first, start=1):
            if number > row.payload.get(PARTS_SENT, 0):
                await self._bot.send_message(chat_id, part, request_timeout=int(self._timeout))
                await self._store.note_parts_sent(row.id, number)
        message = await self._bot.send_message(
            chat_id, last, reply_markup=rendered.markup, request_timeout=int(self._timeout)
        )
        return message.message_id

    async def _failed(
        self, rows: Sequence[Outbox], chat_id: int, failure: Failure, edit_message_id: int | None
    ) -> None:
        ids = tuple(r.id for r in rows)
        now = self._clock.now()
        match failure.verdict:
            case Verdict.DONE:
                await self._marks.record(Sent(ids, now))
            case Verdict.GONE:
                if edit_message_id is not None:
                    await self._store.forget_card(chat_id, edit_message_id)
                await self._marks.record(Sent(ids, now, error=failure.reason))
            case Verdict.PERMANENT:
                log.warning("chat %s refused rows %s for good: %s", chat_id, list(ids), failure.reason)
                await self._marks.record(Sent(ids, now, error=failure.reason))
            case Verdict.MOVED if failure.moved_to is not None:
                await self._follow(chat_id, failure.moved_to, now)
            case _:
                delay = failure.backoff(max(r.attempts for r in rows) + 1)
                if failure.retry_after is not None:
                    self._limits.pause(chat_id, delay)
                log.warning(
                    "chat %s, rows %s: %s; trying again in %s s",
                    chat_id,
                    list(ids),
                    failure.reason,
                    delay,
                    exc_info=not failure.expected,
                )
                await self._store.postpone(ids, now + timedelta(seconds=delay), failure.reason)

    async def _follow(self, group_id: int, supergroup_id: int, now: datetime) -> None:
        """The group became a supergroup: its messages go there from now on (Telegram keeps no forwarding)."""
        self._moved[group_id] = supergroup_id
        if group_id == self._store.alert_chat_id:
            log.warning(
                "the alert group %s became supergroup %s; sending there until restart: set ALERT_CHAT_ID=%s",
                group_id,
                supergroup_id,
                supergroup_id,
            )
        else:
            log.warning("group %s became supergroup %s; its messages go there now", group_id, supergroup_id)
        await self._store.move_chat(group_id, supergroup_id, now)
