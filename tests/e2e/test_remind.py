from leadbot.app import Application
from tests.conftest import ALERT_CHAT_ID, START, at, ru_day
from tests.e2e.conftest import answer_after, card_edit, open_card, open_menu
from tests.fakes.telegram import Call, FakeTelegram, User


async def test_remind_with_a_preset_and_with_typed_time(
    app: Application, telegram: FakeTelegram, lead_alert: Call, anna_user: User
) -> None:
    card = await open_card(telegram, anna_user, 1)
    await open_menu(telegram, anna_user, card, "Напомнить")
    await open_menu(telegram, anna_user, card, "Звонок")
    mark = telegram.mark()
    await telegram.press(anna_user, card, "завтра 10:00")
    assert f"{ru_day(at(1, 7))} 10:00" in (await answer_after(telegram, mark)).text  # clock: 12:00 Moscow
    edited = await card_edit(telegram, lead_alert, mark, "Дальше: Звонок")
    assert "Anna" in edited.text
    await card_edit(telegram, card, mark, "Дальше: Звонок")  # the private card too, before pressing on it

    await open_menu(telegram, anna_user, card, "Напомнить")
    await open_menu(telegram, anna_user, card, "Встреча")
    mark = telegram.mark()
    await telegram.press(anna_user, card, "Другое время")
    prompt = await telegram.reply_to(anna_user.id, after=mark)
    assert "25.11 14:30" in prompt.text
    for text, expected in (
        ("вчера", "уже прошло"),
        ("когда-нибудь", "не понимаю"),
        (f"{START:%d.%m} 18:00", f"{ru_day(START)} 18:00"),
    ):
        mark = telegram.mark()
        await telegram.send_message(anna_user, text)
        assert expected in (await telegram.reply_to(anna_user.id, after=mark)).text
    pending = await app.services.activities.pending()
    assert len(pending) == 2


async def test_supervisor_sets_a_reminder_for_a_manager_and_comments(
    app: Application, telegram: FakeTelegram, lead_alert: Call, anna_user: User, sveta_user: User
) -> None:
    anna = await app.services.users.actor(anna_user.id)
    card = await open_card(telegram, sveta_user, 1)
    await open_menu(telegram, sveta_user, card, "Remind")
    await open_menu(telegram, sveta_user, card, "Task")
    await open_menu(telegram, sveta_user, card, "Anna")
    mark = telegram.mark()
    await telegram.press(sveta_user, card, "in 1 hour")
    assert "Reminder set" in (await answer_after(telegram, mark)).text
    activity = (
        await app.services.activities.agenda(anna.id, app.services.ctx.clock.now().replace(year=2030))
    )[0]
    assert activity.responsible_id == anna.id

    mark = telegram.mark()
    await telegram.press(anna_user, lead_alert, "Комментарий")
    question = await telegram.reply_to(ALERT_CHAT_ID, after=mark)
    mark = telegram.mark()
    await telegram.send_message(
        anna_user, "Клиент просит <скидку>", chat_id=ALERT_CHAT_ID, reply_to_message=question.result
    )
    assert "Добавлено к лиду #1" in (await telegram.reply_to(ALERT_CHAT_ID, after=mark)).text
    history = await app.services.history.of_lead(1)
    assert ("commented", "Клиент просит <скидку>") in [(e.action, e.new) for e in history.entries]
