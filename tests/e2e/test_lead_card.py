import asyncio

from leadbot.app import Application
from tests.conftest import ALERT_CHAT_ID
from tests.fakes.telegram import Call, FakeTelegram, Person, User

RU_BUTTONS = ["Взять", "Статус", "Привязать", "Конвертировать", "Брак", "Исключить", "Напомнить", "История"]


async def test_alert_is_posted_to_the_group_with_all_buttons(lead_alert: Call) -> None:
    assert lead_alert.chat_id == ALERT_CHAT_ID
    assert "Иван Петров" in lead_alert.text
    assert "+7 916 123-45-67" in lead_alert.text
    labels = lead_alert.labels
    for word in RU_BUTTONS:
        assert word in labels
    assert all(len(b["callback_data"].encode()) <= 64 for b in lead_alert.buttons)


async def test_take_from_the_group_edits_the_card(
    app: Application, telegram: FakeTelegram, lead_alert: Call, anna: Person
) -> None:
    answer = await anna.press(lead_alert, "Взять")
    assert "ваш" in answer.text
    edited = await telegram.message_now(lead_alert, showing="Anna")
    assert "Взять" not in edited.labels
    assert "Anna" in (await telegram.message_now(lead_alert, changes=False)).text


async def test_two_simultaneous_takes_one_wins(
    app: Application, telegram: FakeTelegram, lead_alert: Call, anna: Person, boris: Person
) -> None:
    answers = await asyncio.gather(anna.press(lead_alert, "Взять"), boris.press(lead_alert, "Взять"))
    refusals = [a for a in answers if a.params.get("show_alert") in (True, "true", "True")]
    assert len(refusals) == 1
    assert "Уже взял(а)" in refusals[0].text
    lead = (await app.services.queries.find("Иван")).rows[0]
    card = await app.services.queries.card(lead.id)
    assert card.assignee is not None and card.assignee.name in refusals[0].text


async def test_unregistered_user_pressing_a_button_is_refused(
    app: Application, telegram: FakeTelegram, lead_alert: Call, stranger: User
) -> None:
    answer = await telegram.person(stranger).press(lead_alert, "Взять")
    assert "not registered" in answer.text
    card = await app.services.queries.card((await app.services.queries.find("Иван")).rows[0].id)
    assert card.assignee is None


async def test_status_change_through_the_submenu(
    app: Application, telegram: FakeTelegram, lead_alert: Call, anna: Person
) -> None:
    menu = await anna.opens(lead_alert, "Статус")
    assert "В работе" in " ".join(b["text"] for b in menu.rows[0])
    await anna.press(lead_alert, "В работе")
    edited = await telegram.message_now(lead_alert, showing="В работе")
    assert "Anna" in edited.text  # who did it
