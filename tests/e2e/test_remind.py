from leadbot.app import Application
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
    assert "24 нояб. 10:00" in (await answer_after(telegram, mark)).text  # clock: 23 Nov 12:00 Moscow
    edited = await card_edit(telegram, lead_alert, mark, "Дальше: Звонок")
    assert "Anna" in edited.text

    await open_menu(telegram, anna_user, card, "Напомнить")
    await open_menu(telegram, anna_user, card, "Встреча")
    mark = telegram.mark()
    await telegram.press(anna_user, card, "Другое время")
    prompt = await telegram.reply_to(anna_user.id, after=mark)
    assert "25.11 14:30" in prompt.text
    for text, expected in (
        ("вчера", "уже прошло"),
        ("когда-нибудь", "не понимаю"),
        ("23.11 18:00", "23 нояб. 18:00"),
    ):
        mark = telegram.mark()
        await telegram.send_message(anna_user, text)
        assert expected in (await telegram.reply_to(anna_user.id, after=mark)).text
    pending = await app.services.activities.pending()
    assert len(pending) == 2
