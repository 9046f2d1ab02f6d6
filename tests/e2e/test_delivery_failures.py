"""How the delivery worker takes every kind of failure: Telegram's refusals, moves, limits, outages,
garbage from a proxy, and a database that will not record what was sent.

The worker is driven pass by pass on the application clock (its backoff and Telegram's limits follow that
clock), so each test sees in which second every attempt happened without waiting for it.
"""

from __future__ import annotations

import logging
import re
import sqlite3
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from db.enums import Role
from db.models import Outbox, PostedCard
from handlers.i18n import build_i18n
from handlers.outbox_renderer import TelegramRenderer
from leadbot.actor import Actor
from leadbot.app import Application
from leadbot.clock import FrozenClock
from leadbot.delivery.limits import RateLimits
from leadbot.delivery.marks import MARK_MEMORY
from leadbot.delivery.worker import FIRST_RETRY, MAX_REST, SAFETY_POLL, DeliveryWorker
from leadbot.rendering import Rendered
from leadbot.services import outbox
from leadbot.services.delivery_store import DeliveryStore
from tests.conftest import ALERT_CHAT_ID
from tests.e2e.conftest import card_of
from tests.e2e.test_delivery import create
from tests.fakes.telegram import Call, FakeTelegram

SUPERGROUP_ID = -1009876543210


class DrivenDelivery:
    """A delivery worker whose passes the test makes, one per second of application time."""

    def __init__(
        self,
        app: Application,
        clock: FrozenClock,
        telegram: FakeTelegram,
        *,
        store: DeliveryStore | None = None,
        request_timeout: float = 15.0,
    ) -> None:
        self.clock = clock
        self.telegram = telegram
        self.worker = DeliveryWorker(
            app.bot,
            store or app.services.delivery,
            TelegramRenderer.of(app.services, build_i18n(app.settings.locale), app.settings),
            clock=clock,
            limits=RateLimits(monotonic=lambda: clock.now().timestamp()),
            request_timeout=request_timeout,
        )
        self.second = 0
        self._passes: list[tuple[int, int]] = []  # (second, position in the call log after the pass)

    async def run_for(self, seconds: int) -> None:
        for _ in range(seconds):
            await self.worker.step()
            self._passes.append((self.second, self.telegram.mark()))
            self.clock.advance(timedelta(seconds=1))
            self.second += 1

    def seconds_of(self, calls: Sequence[Call]) -> list[int]:
        """In which second (counted from the first pass) each call was made."""
        return [next(second for second, end in self._passes if call.seq < end) for call in calls]


@pytest.fixture
def delivery(quiet_app: Application, clock: FrozenClock, telegram: FakeTelegram) -> DrivenDelivery:
    return DrivenDelivery(quiet_app, clock, telegram)


@pytest.fixture
def logged(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.INFO, logger="leadbot.delivery")
    return caplog


@pytest.fixture
async def anna(quiet_app: Application) -> Actor:
    return await quiet_app.services.users.add(3001, Role.MANAGER, "Anna")


def delivery_warnings(logged: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in logged.records if r.name == "leadbot.delivery" and r.levelno >= logging.WARNING]


def has_traceback(record: logging.LogRecord) -> bool:
    return bool(record.exc_info or record.exc_text)  # a redacting filter may have rendered it already


def sends(telegram: FakeTelegram, *, failed: bool, chat_id: int = ALERT_CHAT_ID) -> list[Call]:
    return [
        c for c in telegram.calls if c.method == "sendMessage" and c.chat_id == chat_id and c.failed == failed
    ]


async def outbox_row(app: Application, lead_id: int) -> Outbox:
    async with app.services.ctx.reading() as session:
        row = await session.scalar(
            select(Outbox).where(Outbox.lead_id == lead_id, Outbox.kind == "lead_alert")
        )
    assert row is not None
    return row


# --- Telegram's answers ---------------------------------------------------------------------------


async def test_429_waits_retry_after_and_delivers_once(
    quiet_app: Application, telegram: FakeTelegram, delivery: DrivenDelivery
) -> None:
    telegram.fail_next("sendMessage", 429, retry_after=3)
    lead_id = await create(quiet_app)
    await delivery.run_for(6)
    assert delivery.seconds_of(sends(telegram, failed=True)) == [0]
    delivered = [c for c in sends(telegram, failed=False) if card_of(c) == lead_id]
    assert delivery.seconds_of(delivered) == [3]


@pytest.mark.parametrize(
    ("status", "html"),
    [(500, False), (502, False), (502, True), (418, False)],
    ids=["500", "502", "proxy's HTML 502 page", "unexpected 418"],
)
async def test_outages_and_garbage_are_retried_with_exponential_backoff(
    quiet_app: Application,
    telegram: FakeTelegram,
    delivery: DrivenDelivery,
    logged: pytest.LogCaptureFixture,
    status: int,
    html: bool,
) -> None:
    telegram.fail_next("sendMessage", status, html=html, times=5)
    lead_id = await create(quiet_app)
    await delivery.run_for(64)
    assert delivery.seconds_of(sends(telegram, failed=True)) == [0, 2, 6, 14, 30]
    delivered = [c for c in sends(telegram, failed=False) if card_of(c) == lead_id]
    assert delivery.seconds_of(delivered) == [62]
    warnings = delivery_warnings(logged)
    assert len(warnings) == 5
    assert all(not has_traceback(r) and "\n" not in r.getMessage() for r in warnings)


async def test_a_stalled_request_is_retried_after_a_backoff(
    quiet_app: Application, telegram: FakeTelegram, clock: FrozenClock
) -> None:
    delivery = DrivenDelivery(quiet_app, clock, telegram, request_timeout=1)
    telegram.stall_next("sendMessage", 2.5)
    lead_id = await create(quiet_app)
    await delivery.run_for(4)
    delivered = [c for c in sends(telegram, failed=False) if card_of(c) == lead_id]
    assert delivery.seconds_of(delivered) == [2]


@pytest.mark.parametrize(
    ("status", "reason"),
    [(404, "Not Found"), (403, "bot was kicked"), (400, "chat not found")],
)
async def test_a_permanent_refusal_drops_the_row_with_one_warning(
    quiet_app: Application,
    telegram: FakeTelegram,
    delivery: DrivenDelivery,
    logged: pytest.LogCaptureFixture,
    status: int,
    reason: str,
) -> None:
    telegram.fail_next("sendMessage", status)
    lead_id = await create(quiet_app)
    await delivery.run_for(30)
    assert len([c for c in telegram.calls if c.method == "sendMessage"]) == 1
    row = await outbox_row(quiet_app, lead_id)
    assert row.sent_at is not None and reason in (row.last_error or "")
    (warning,) = delivery_warnings(logged)
    assert not has_traceback(warning) and reason in warning.getMessage()


async def test_a_group_upgraded_to_a_supergroup_is_followed(
    quiet_app: Application,
    telegram: FakeTelegram,
    delivery: DrivenDelivery,
    logged: pytest.LogCaptureFixture,
    anna: Actor,
) -> None:
    telegram.upgrade_group(ALERT_CHAT_ID, SUPERGROUP_ID)
    first = await create(quiet_app, "Первый", "+79160000001")
    await delivery.run_for(3)
    assert len(sends(telegram, failed=True)) == 1
    card = [c for c in sends(telegram, failed=False, chat_id=SUPERGROUP_ID) if card_of(c) == first]
    assert len(card) == 1
    (warning,) = delivery_warnings(logged)
    assert f"ALERT_CHAT_ID={SUPERGROUP_ID}" in warning.getMessage() and not has_traceback(warning)

    second = await create(quiet_app, "Второй", "+79160000002")  # services still name the old group
    await delivery.run_for(2)
    assert len(sends(telegram, failed=True)) == 1
    assert [card_of(c) for c in sends(telegram, failed=False, chat_id=SUPERGROUP_ID)] == [first, second]

    await quiet_app.services.leads.take(first, anna)
    await delivery.run_for(2)
    (edit,) = telegram.sent("editMessageText", SUPERGROUP_ID)
    assert int(edit.params["message_id"]) == card[0].result["message_id"] and "Anna" in edit.text
    async with quiet_app.services.ctx.reading() as session:
        assert not await session.scalar(select(Outbox.id).where(Outbox.chat_id == ALERT_CHAT_ID))
        assert not await session.scalar(select(PostedCard.id).where(PostedCard.chat_id == ALERT_CHAT_ID))
    assert len(delivery_warnings(logged)) == 1


async def test_cards_left_in_an_upgraded_group_are_let_go(
    quiet_app: Application,
    telegram: FakeTelegram,
    delivery: DrivenDelivery,
    logged: pytest.LogCaptureFixture,
    anna: Actor,
) -> None:
    before = await create(quiet_app, "До переезда", "+79160000001")
    await delivery.run_for(1)
    telegram.upgrade_group(ALERT_CHAT_ID, SUPERGROUP_ID)
    await quiet_app.services.leads.take(before, anna)
    await delivery.run_for(30)
    refused = [c for c in telegram.calls if c.failed]
    assert [c.method for c in refused] == [
        "editMessageText"
    ]  # tried once; its message stays in the old group
    (warning,) = delivery_warnings(logged)
    assert f"ALERT_CHAT_ID={SUPERGROUP_ID}" in warning.getMessage()
    after = await create(quiet_app, "После переезда", "+79160000002")
    await delivery.run_for(1)
    assert [card_of(c) for c in sends(telegram, failed=False, chat_id=SUPERGROUP_ID)] == [after]
    assert len([c for c in telegram.calls if c.failed]) == 1


# --- the database -------------------------------------------------------------------------------


class DiskFullStore(DeliveryStore):
    """A database that reads but cannot write what was sent, as with a full disk (until `full` is off)."""

    full = True

    def _write(self) -> None:
        if self.full:
            raise OperationalError(
                "UPDATE outbox", None, sqlite3.OperationalError("database or disk is full")
            )

    async def mark_sent(self, row_ids: Sequence[int], now: datetime, error: str | None = None) -> None:
        self._write()
        await super().mark_sent(row_ids, now, error)

    async def mark_posted(
        self, row_ids: Sequence[int], lead_id: int, chat_id: int, message_id: int, now: datetime
    ) -> None:
        self._write()
        await super().mark_posted(row_ids, lead_id, chat_id, message_id, now)


async def test_a_sent_alert_is_not_repeated_while_marking_it_sent_fails(
    quiet_app: Application,
    telegram: FakeTelegram,
    clock: FrozenClock,
    anna: Actor,
    logged: pytest.LogCaptureFixture,
) -> None:
    store = DiskFullStore(quiet_app.services.ctx)
    delivery = DrivenDelivery(quiet_app, clock, telegram, store=store)
    lead_id = await create(quiet_app)
    await delivery.run_for(60)
    (alert,) = sends(telegram, failed=False)
    assert card_of(alert) == lead_id and (await outbox_row(quiet_app, lead_id)).sent_at is None
    assert len(delivery_warnings(logged)) == 1

    store.full = False
    await delivery.run_for(1)
    assert (await outbox_row(quiet_app, lead_id)).sent_at is not None
    await quiet_app.services.leads.take(lead_id, anna)
    await delivery.run_for(2)
    (edit,) = telegram.sent("editMessageText", ALERT_CHAT_ID)  # the card was recorded as posted
    assert int(edit.params["message_id"]) == alert.result["message_id"]
    assert len(sends(telegram, failed=False)) == 1


async def test_a_sent_row_is_remembered_for_a_bounded_time(
    quiet_app: Application, telegram: FakeTelegram, clock: FrozenClock
) -> None:
    store = DiskFullStore(quiet_app.services.ctx)
    delivery = DrivenDelivery(quiet_app, clock, telegram, store=store)
    await create(quiet_app)
    await delivery.run_for(1)
    clock.advance(MARK_MEMORY - timedelta(seconds=2))
    await delivery.run_for(1)
    assert len(sends(telegram, failed=False)) == 1
    await delivery.run_for(2)  # past MARK_MEMORY the row is pending like any other
    assert len(sends(telegram, failed=False)) == 2


class DownStore(DeliveryStore):
    """A database that cannot even be read (until `down` is off)."""

    down = True

    async def pending(self, now: datetime, limit: int = 500) -> Sequence[Outbox]:
        if self.down:
            raise OperationalError(
                "SELECT outbox", None, sqlite3.OperationalError("unable to open database file")
            )
        return await super().pending(now, limit)


async def test_a_database_that_is_down_is_waited_for_not_hammered(
    quiet_app: Application, telegram: FakeTelegram, clock: FrozenClock, logged: pytest.LogCaptureFixture
) -> None:
    store = DownStore(quiet_app.services.ctx)
    delivery = DrivenDelivery(quiet_app, clock, telegram, store=store)
    lead_id = await create(quiet_app)
    rests = [await delivery.worker.step() for _ in range(10)]
    assert rests[0] > FIRST_RETRY and rests == sorted(rests) and rests[-1] == MAX_REST
    assert len([r for r in logged.records if has_traceback(r)]) == 1
    store.down = False
    assert await delivery.worker.step() == SAFETY_POLL  # sent: nothing left to look for before then
    assert [card_of(c) for c in sends(telegram, failed=False)] == [lead_id]


# --- long messages ----------------------------------------------------------------------------------


class LongText(TelegramRenderer):
    """Renders every message as 3 parts' worth of numbered lines."""

    async def message(
        self, kind: str, payload: dict[str, Any], lead_id: int | None, chat_id: int
    ) -> Rendered:
        return Rendered("".join(f"line {n:05}\n" for n in range(1000)))


async def test_a_long_message_goes_in_parts_and_a_retry_sends_only_the_rest(
    quiet_app: Application, clock: FrozenClock, telegram: FakeTelegram, anna: Actor
) -> None:
    delivery = DrivenDelivery(quiet_app, clock, telegram)
    delivery.worker = DeliveryWorker(
        quiet_app.bot,
        quiet_app.services.delivery,
        LongText.of(quiet_app.services, build_i18n("ru"), quiet_app.settings),
        clock=clock,
        limits=RateLimits(monotonic=lambda: clock.now().timestamp()),
    )
    async with quiet_app.services.ctx.transaction() as session:
        outbox.message(session, outbox.OutboxKind.MORNING_DIGEST, anna.telegram_id, user_id=anna.id)
    telegram.fail_next("sendMessage", 502, after=1)  # the first part goes, the second meets an outage
    await delivery.run_for(10)
    parts = sends(telegram, failed=False, chat_id=anna.telegram_id)
    assert len(sends(telegram, failed=True, chat_id=anna.telegram_id)) == 1
    assert all(len(part.text) <= 4096 for part in parts)
    lines = re.findall(r"line \d{5}", "".join(part.text for part in parts))
    assert lines == [f"line {n:05}" for n in range(1000)]  # each line once, in order: no part sent twice
