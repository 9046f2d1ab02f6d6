"""A lead made with /new: its card comes once to the manager who made it, and stays live."""

from __future__ import annotations

from leadbot.app import Application
from tests.conftest import ALERT_CHAT_ID
from tests.e2e.conftest import card_of, card_sent
from tests.e2e.test_delivery import eventually, nothing_pending
from tests.fakes.telegram import FakeTelegram, Person


async def test_the_maker_of_a_lead_gets_its_card_once_and_it_follows_changes(
    app: Application, telegram: FakeTelegram, anna: Person
) -> None:
    await anna.says("/new")
    await anna.says("Мария Сидорова")
    email_question = await anna.says("8 903 765-43-21")
    company_question = await anna.choose(email_question, "Пропустить")
    sources = await anna.choose(company_question, "Пропустить")
    comment_question = await anna.choose(sources, "Звонок")
    amount_question = await anna.choose(comment_question, "Пропустить")
    summary = await anna.choose(amount_question, "Пропустить")
    await anna.press(summary, "Сохранить")
    card = await telegram.next_call("sendMessage", anna.id, where=lambda c: card_of(c) == 1)
    await card_sent(telegram, ALERT_CHAT_ID, 1)
    await eventually(lambda: nothing_pending(app))  # every alert of the new lead has been sent

    private_cards = [c for c in telegram.sent("sendMessage", anna.id) if card_of(c) == 1]
    assert private_cards == [card]

    telegram.from_now_on()
    await app.services.leads.change_status(1, "IN_PROCESS", await app.services.users.actor(anna.id))
    await telegram.message_now(card, showing="В работе")
