"""A lead made with /new: its card comes once to the manager who made it, and stays live."""

from __future__ import annotations

from leadbot.app import Application
from tests.conftest import ALERT_CHAT_ID
from tests.e2e.conftest import card_edit, card_of
from tests.e2e.test_commands import say, tap
from tests.e2e.test_delivery import eventually, nothing_pending
from tests.fakes.telegram import FakeTelegram, User


async def test_the_maker_of_a_lead_gets_its_card_once_and_it_follows_changes(
    app: Application, telegram: FakeTelegram, anna_user: User
) -> None:
    await say(telegram, anna_user, "/new")
    await say(telegram, anna_user, "Мария Сидорова")
    email_question = await say(telegram, anna_user, "8 903 765-43-21")
    company_question = await tap(telegram, anna_user, email_question, "Пропустить")
    sources = await tap(telegram, anna_user, company_question, "Пропустить")
    comment_question = await tap(telegram, anna_user, sources, "Звонок")
    amount_question = await tap(telegram, anna_user, comment_question, "Пропустить")
    summary = await tap(telegram, anna_user, amount_question, "Пропустить")
    mark = telegram.mark()
    await telegram.press(anna_user, summary, "Сохранить")
    cards = await telegram.wait_for(
        lambda c: (
            c.method == "sendMessage" and c.chat_id == anna_user.id and c.seq >= mark and card_of(c) == 1
        )
    )
    await telegram.wait_for(lambda c: c.chat_id == ALERT_CHAT_ID and card_of(c) == 1)
    await eventually(lambda: nothing_pending(app))  # every alert of the new lead has been sent

    private_cards = [c for c in telegram.sent("sendMessage", anna_user.id) if card_of(c) == 1]
    assert private_cards == cards[:1]

    anna = await app.services.users.actor(anna_user.id)
    mark = telegram.mark()
    await app.services.leads.change_status(1, "IN_PROCESS", anna)
    await card_edit(telegram, private_cards[0], mark, "В работе")
