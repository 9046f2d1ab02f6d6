from leadbot.app import Application
from tests.conftest import ALERT_CHAT_ID, START, at, ru_day
from tests.fakes.telegram import Call, FakeTelegram, Person


async def test_remind_with_a_preset_and_with_typed_time(
    app: Application, telegram: FakeTelegram, lead_alert: Call, anna: Person
) -> None:
    card = await anna.says("/lead 1")
    await anna.opens(card, "Напомнить")
    await anna.opens(card, "Звонок")
    answer = await anna.press(card, "завтра 10:00")
    assert f"{ru_day(at(1, 7))} 10:00" in answer.text  # clock: 12:00 Moscow
    edited = await telegram.message_now(lead_alert, showing="Дальше: Звонок")
    assert "Anna" in edited.text
    await telegram.message_now(card, showing="Дальше: Звонок")  # the private card too, before pressing on it

    await anna.opens(card, "Напомнить")
    await anna.opens(card, "Встреча")
    prompt = await anna.choose(card, "Другое время")
    assert "25.11 14:30" in prompt.text
    for text, expected in (
        ("вчера", "уже прошло"),
        ("когда-нибудь", "не понимаю"),
        (f"{START:%d.%m} 18:00", f"{ru_day(START)} 18:00"),
    ):
        assert expected in (await anna.says(text)).text
    pending = await app.services.activities.pending()
    assert len(pending) == 2


async def test_supervisor_sets_a_reminder_for_a_manager_and_comments(
    app: Application, telegram: FakeTelegram, lead_alert: Call, anna: Person, sveta: Person
) -> None:
    anna_actor = await app.services.users.actor(anna.id)
    card = await sveta.says("/lead 1")
    await sveta.opens(card, "Remind")
    await sveta.opens(card, "Task")
    await sveta.opens(card, "Anna")
    assert "Reminder set" in (await sveta.press(card, "in 1 hour")).text
    someday = app.services.ctx.clock.now().replace(year=2030)
    activity = (await app.services.activities.agenda(anna_actor.id, someday))[0]
    assert activity.responsible_id == anna_actor.id

    await anna.press(lead_alert, "Комментарий")
    question = await telegram.next_message(ALERT_CHAT_ID)
    done = await anna.says("Клиент просит <скидку>", chat_id=ALERT_CHAT_ID, replying_to=question)
    assert "Добавлено к лиду #1" in done.text
    history = await app.services.history.of_lead(1)
    assert ("commented", "Клиент просит <скидку>") in [(e.action, e.new) for e in history.entries]
