"""The delivery worker is woken by what it must do, and one chat's backlog never holds back another's.

Each test says in which pass (or after which event) a message went, never how long it took: the fairness
tests drive the worker pass by pass on the application clock; the wake tests make its safety poll an hour
long, so that only the commit (or the clock's jump) can have sent the message in time.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from db.enums import Role
from db.models import Outbox
from handlers.i18n import build_i18n
from handlers.outbox_renderer import TelegramRenderer
from leadbot.actor import Actor
from leadbot.app import Application
from leadbot.clock import FrozenClock
from leadbot.config import Settings
from leadbot.delivery import worker
from leadbot.delivery.limits import RateLimits
from leadbot.delivery.worker import PENDING_BATCH, DeliveryWorker
from leadbot.rendering import Rendered
from leadbot.services import outbox
from leadbot.services.context import note_outbox_written
from leadbot.services.delivery_store import CARD_EDIT
from tests.conftest import ALERT_CHAT_ID
from tests.e2e.conftest import card_of, card_sent
from tests.e2e.test_delivery import create
from tests.fakes.telegram import FakeTelegram

BACKLOG = PENDING_BATCH + 100  # more group messages than one pass reads


class Plain(TelegramRenderer):
    """Renders every plain message as its kind and payload (the backlog needs no leads or users)."""

    async def message(
        self, kind: str, payload: dict[str, Any], lead_id: int | None, chat_id: int
    ) -> Rendered:
        return Rendered(f"{kind} {payload}")


@pytest.fixture
def driven(quiet_app: Application, clock: FrozenClock) -> DeliveryWorker:
    """A worker whose passes the test makes (`step`), with Telegram's limits on the application clock."""
    return DeliveryWorker(
        quiet_app.bot,
        quiet_app.services.delivery,
        Plain.of(quiet_app.services, build_i18n("ru"), quiet_app.settings),
        clock=clock,
        limits=RateLimits(monotonic=lambda: clock.now().timestamp()),
    )


@pytest.fixture
async def anna(quiet_app: Application) -> Actor:
    return await quiet_app.services.users.add(3001, Role.MANAGER, "Anna")


async def group_backlog(app: Application, size: int = BACKLOG) -> None:
    """`size` nudges queued for the team group, as a busy day leaves them (20 a minute can go)."""
    async with app.services.ctx.transaction() as session:
        for number in range(size):
            outbox.message(session, outbox.OutboxKind.NOTICE, ALERT_CHAT_ID, key="nudge", number=number)


async def test_a_group_backlog_does_not_hold_back_a_private_message(
    quiet_app: Application, telegram: FakeTelegram, driven: DeliveryWorker, anna: Actor
) -> None:
    await group_backlog(quiet_app)
    async with quiet_app.services.ctx.transaction() as session:
        outbox.message(session, outbox.OutboxKind.NOTICE, anna.telegram_id, key="private")
    await driven.step()  # the first pass after the backlog was queued
    (private,) = telegram.sent("sendMessage", anna.telegram_id)
    assert "private" in private.text
    assert len(telegram.sent("sendMessage", ALERT_CHAT_ID)) == 1  # the group gets its one message too


async def test_a_group_backlog_does_not_hold_back_the_edit_of_a_card_in_that_group(
    quiet_app: Application, telegram: FakeTelegram, driven: DeliveryWorker, clock: FrozenClock, anna: Actor
) -> None:
    lead_id = await create(quiet_app)
    await driven.step()
    card = await card_sent(telegram, ALERT_CHAT_ID, lead_id)
    clock.advance(timedelta(seconds=1))
    await group_backlog(quiet_app)
    await quiet_app.services.leads.take(lead_id, anna)
    await driven.step()
    (edit,) = telegram.sent("editMessageText", ALERT_CHAT_ID)
    assert int(edit.params["message_id"]) == card.result["message_id"] and "Anna" in edit.text


async def notice(app: Application, chat_id: int, key: str) -> None:
    async with app.services.ctx.transaction() as session:
        outbox.message(session, outbox.OutboxKind.NOTICE, chat_id, key=key)


async def test_the_edit_of_a_card_is_not_held_back_by_a_new_message_to_the_same_chat(
    quiet_app: Application, telegram: FakeTelegram, driven: DeliveryWorker, clock: FrozenClock, anna: Actor
) -> None:
    lead_id = await create(quiet_app)
    await notice(quiet_app, anna.telegram_id, "card")
    await driven.step()
    (card,) = telegram.sent("sendMessage", anna.telegram_id)
    await quiet_app.services.delivery.remember_card(lead_id, anna.telegram_id, card.result["message_id"])
    clock.advance(timedelta(seconds=1))
    await notice(quiet_app, anna.telegram_id, "second")
    await notice(quiet_app, anna.telegram_id, "third")
    await driven.step()  # "second" goes: the next new message to Anna waits its second
    await quiet_app.services.leads.take(lead_id, anna)  # Anna presses Take on the card at once
    await driven.step()  # in the same second of the application clock
    (edit,) = telegram.sent("editMessageText", anna.telegram_id)
    assert int(edit.params["message_id"]) == card.result["message_id"]
    assert ["third" in c.text for c in telegram.sent("sendMessage", anna.telegram_id)] == [False] * 2


# --- the worker of the running application --------------------------------------------------------------


@pytest.fixture
async def sleepy_app(
    settings: Settings, telegram: FakeTelegram, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Application]:
    """The application whose worker, left alone, would look at the queue once an hour."""
    monkeypatch.setattr(worker, "SAFETY_POLL", 3600.0)
    configured = settings.model_copy(update={"telegram_api_url": telegram.base_url})
    async with Application(configured, clock) as application:
        yield application


async def test_the_commit_wakes_the_worker(sleepy_app: Application, telegram: FakeTelegram) -> None:
    await telegram.wait_for(lambda c: c.method == "setMyCommands")
    lead_id = await create(sleepy_app)
    await card_sent(telegram, ALERT_CHAT_ID, lead_id)


async def test_the_clock_jump_wakes_the_worker_for_a_row_put_off(
    sleepy_app: Application, telegram: FakeTelegram, clock: FrozenClock
) -> None:
    lead_id = await create(sleepy_app)
    await card_sent(telegram, ALERT_CHAT_ID, lead_id)
    async with sleepy_app.services.ctx.transaction() as session:
        note_outbox_written(session)
        session.add(
            Outbox(
                kind=outbox.OutboxKind.LEAD_ALERT,
                chat_id=ALERT_CHAT_ID,
                lead_id=lead_id,
                payload={},
                not_before=clock.now() + timedelta(hours=1),
            )
        )
    clock.advance(timedelta(hours=1))
    cards = await telegram.wait_for(lambda c: c.method == "sendMessage" and card_of(c) == lead_id, count=2)
    assert len(cards) == 2


async def test_the_worker_s_own_writes_do_not_wake_it(
    quiet_app: Application,
    telegram: FakeTelegram,
    driven: DeliveryWorker,
    clock: FrozenClock,
    anna: Actor,
) -> None:
    rings: list[None] = []
    quiet_app.services.delivery.on_outbox_written(lambda: rings.append(None))
    lead_id = await create(quiet_app)
    await driven.step()  # posts the card, records it
    clock.advance(timedelta(seconds=1))
    await quiet_app.services.leads.take(lead_id, anna)
    assert len(rings) == 2  # the alert, the refresh of the card
    await driven.step()  # expands the refresh into an edit, sends it, marks it sent
    assert len(telegram.sent("editMessageText", ALERT_CHAT_ID)) == 1
    assert len(rings) == 2
    async with quiet_app.services.ctx.reading() as session:
        assert await session.scalar(select(Outbox.id).where(Outbox.kind == CARD_EDIT))
