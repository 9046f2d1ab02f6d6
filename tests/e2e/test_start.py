from leadbot.app import Application
from tests.fakes.telegram import FakeTelegram, User


async def test_admin_start_registers_and_greets(
    app: Application, telegram: FakeTelegram, admin_user: User
) -> None:
    await telegram.send_message(admin_user, "/start")
    reply = await telegram.reply_to(admin_user.id)
    assert "Добро пожаловать, Alla!" in reply.text
    assert "администратор" in reply.text
    assert reply.params["parse_mode"] == "HTML"
    me = await app.services.users.actor(admin_user.id)
    assert me.role.value == "admin"


async def test_stranger_is_refused_in_their_language(
    app: Application, telegram: FakeTelegram, stranger: User
) -> None:
    await telegram.send_message(stranger, "/start")
    reply = await telegram.reply_to(stranger.id)
    assert "not registered" in reply.text
    assert await app.services.users.find(stranger.id) is None
