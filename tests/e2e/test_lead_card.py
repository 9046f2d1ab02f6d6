import asyncio

from leadbot.app import Application
from tests.conftest import ALERT_CHAT_ID
from tests.e2e.conftest import card_edit
from tests.fakes.telegram import Call, FakeTelegram, User

RU_BUTTONS = ["Взять", "Статус", "Привязать", "Конвертировать", "Брак", "Исключить", "Напомнить", "История"]


async def test_alert_is_posted_to_the_group_with_all_buttons(lead_alert: Call) -> None:
    assert lead_alert.chat_id == ALERT_CHAT_ID
    assert "Иван Петров" in lead_alert.text
    assert "+7 916 123-45-67" in lead_alert.text
    labels = " ".join(b["text"] for b in lead_alert.buttons)
    for word in RU_BUTTONS:
        assert word in labels
    assert all(len(b["callback_data"].encode()) <= 64 for b in lead_alert.buttons)


async def test_take_from_the_group_edits_the_card(
    app: Application, telegram: FakeTelegram, lead_alert: Call, anna_user: User
) -> None:
    mark = telegram.mark()
    await telegram.press(anna_user, lead_alert, "Взять")
    answer = (await telegram.wait_for(lambda c: c.method == "answerCallbackQuery" and c.seq >= mark))[0]
    assert "ваш" in answer.text
    edited = await card_edit(telegram, lead_alert, mark, "Anna")
    assert "Взять" not in " ".join(b["text"] for b in edited.buttons)
    assert "Anna" in telegram.message_now(lead_alert)["text"]


async def test_two_simultaneous_takes_one_wins(
    app: Application, telegram: FakeTelegram, lead_alert: Call, anna_user: User, boris_user: User
) -> None:
    mark = telegram.mark()
    await asyncio.gather(
        telegram.press(anna_user, lead_alert, "Взять"), telegram.press(boris_user, lead_alert, "Взять")
    )
    answers = await telegram.wait_for(lambda c: c.method == "answerCallbackQuery" and c.seq >= mark, count=2)
    refusals = [a for a in answers if a.params.get("show_alert") in (True, "true", "True")]
    assert len(refusals) == 1
    assert "Уже взял(а)" in refusals[0].text
    lead = (await app.services.queries.find("Иван")).rows[0]
    card = await app.services.queries.card(lead.id)
    assert card.assignee is not None and card.assignee.name in refusals[0].text


async def test_unregistered_user_pressing_a_button_is_refused(
    app: Application, telegram: FakeTelegram, lead_alert: Call, stranger: User
) -> None:
    mark = telegram.mark()
    await telegram.press(stranger, lead_alert, "Взять")
    answer = (await telegram.wait_for(lambda c: c.method == "answerCallbackQuery" and c.seq >= mark))[0]
    assert "not registered" in answer.text
    card = await app.services.queries.card((await app.services.queries.find("Иван")).rows[0].id)
    assert card.assignee is None


async def test_status_change_through_the_submenu(
    app: Application, telegram: FakeTelegram, lead_alert: Call, anna_user: User
) -> None:
    mark = telegram.mark()
    await telegram.press(anna_user, lead_alert, "Статус")
    await telegram.wait_for(lambda c: c.method == "editMessageReplyMarkup" and c.seq >= mark)
    assert "В работе" in " ".join(
        b["text"] for b in telegram.message_now(lead_alert)["reply_markup"]["inline_keyboard"][0]
    )
    mark = telegram.mark()
    await telegram.press(anna_user, lead_alert, "В работе")
    edited = await card_edit(telegram, lead_alert, mark, "В работе")
    assert "Anna" in edited.text  # who did it
