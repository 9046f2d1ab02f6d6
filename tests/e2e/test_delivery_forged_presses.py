"""Presses with crafted callback data: only the bot decides which messages are live cards of a lead, and
every press is checked against the version of the lead it shows (0 is no exception)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest

from handlers.callbacks import JunkCb, SetStatusCb, StatusMenuCb, TakeCb
from leadbot.app import Application
from tests.e2e.conftest import answer_after, card_of, post_lead
from tests.e2e.test_delivery import eventually, nothing_pending
from tests.fakes.telegram import Call, FakeTelegram, User


def edits_of(telegram: FakeTelegram, message: Call, after: int) -> list[Call]:
    return [
        c
        for c in telegram.calls[after:]
        if c.method.startswith("editMessage")
        and c.chat_id == message.chat_id
        and int(c.params["message_id"]) == message.result["message_id"]
    ]


def lead_id_of(card: Call) -> int:
    lead_id = card_of(card)
    assert lead_id is not None
    return lead_id


Target = Callable[[Application, FakeTelegram, User], Awaitable[Call]]


async def another_lead_card(app: Application, telegram: FakeTelegram, user: User) -> Call:
    return await post_lead(app, telegram, name="Другой", phones=["+7 903 000-00-02"])


async def a_private_reply(app: Application, telegram: FakeTelegram, user: User) -> Call:
    mark = telegram.mark()
    await telegram.send_message(user, "/help")
    return await telegram.reply_to(user.id, after=mark)


@pytest.mark.parametrize(
    "target", [another_lead_card, a_private_reply], ids=["another lead's card", "a reply"]
)
@pytest.mark.parametrize("version", ["current", "zero"])
async def test_a_forged_press_leaves_other_messages_alone(
    app: Application, telegram: FakeTelegram, anna_user: User, target: Target, version: str
) -> None:
    lead = await post_lead(app, telegram)
    lead_id = lead_id_of(lead)
    victim = await target(app, telegram, anna_user)
    v = (await app.services.queries.card(lead_id)).lead.version if version == "current" else 0
    mark = telegram.mark()
    await telegram.press(anna_user, victim, TakeCb(lead_id=lead_id, v=v).pack())
    assert "ваш" in (await answer_after(telegram, mark)).text
    anna = await app.services.users.actor(anna_user.id)
    await app.services.leads.change_status(lead_id, "IN_PROCESS", anna)
    await eventually(lambda: nothing_pending(app))
    assert len(edits_of(telegram, lead, mark)) >= 1  # the lead's own card follows it
    assert edits_of(telegram, victim, mark) == []
    assert (await telegram.message_now(victim, changes=False)).text == victim.text


async def test_a_stale_forged_press_on_another_message_does_not_redraw_it(
    app: Application, telegram: FakeTelegram, anna_user: User
) -> None:
    lead_id = lead_id_of(await post_lead(app, telegram))
    victim = await another_lead_card(app, telegram, anna_user)
    mark = telegram.mark()
    forged = SetStatusCb(lead_id=lead_id, v=0, status="IN_PROCESS").pack()
    await telegram.press(anna_user, victim, forged)
    assert (await answer_after(telegram, mark)).params.get("show_alert")
    await eventually(lambda: nothing_pending(app))
    assert edits_of(telegram, victim, mark) == []
    assert (await app.services.queries.card(lead_id)).lead.status_code == "NEW"


@pytest.mark.parametrize(
    "forged",
    [
        SetStatusCb(lead_id=1, v=0, status="IN_PROCESS"),
        JunkCb(lead_id=1, v=0, reason="SPAM"),
        StatusMenuCb(lead_id=1, v=0),
    ],
    ids=["set status", "junk", "status menu"],
)
async def test_version_zero_is_stale_like_any_other(
    app: Application, telegram: FakeTelegram, anna_user: User, forged: SetStatusCb | JunkCb | StatusMenuCb
) -> None:
    alert = await post_lead(app, telegram)
    assert lead_id_of(alert) == forged.lead_id
    mark = telegram.mark()
    await telegram.press(anna_user, alert, forged.pack())
    answer = await answer_after(telegram, mark)
    assert answer.params.get("show_alert") and "изменил" in answer.text
    card = await app.services.queries.card(forged.lead_id)
    assert card.lead.status_code == "NEW" and card.lead.version == 1
    assert not [c for c in edits_of(telegram, alert, mark) if c.method == "editMessageReplyMarkup"]
