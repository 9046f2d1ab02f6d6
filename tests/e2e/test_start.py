from leadbot.app import Application
from tests.fakes.telegram import FakeTelegram, Person, User


async def test_admin_start_registers_and_greets(
    app: Application, telegram: FakeTelegram, admin: Person
) -> None:
    reply = await admin.says("/start")
    assert "Добро пожаловать, Alla!" in reply.text
    assert "администратор" in reply.text
    assert reply.params["parse_mode"] == "HTML"
    me = await app.services.users.actor(admin.id)
    assert me.role.value == "admin"


async def test_stranger_is_refused_in_their_language(
    app: Application, telegram: FakeTelegram, stranger: User
) -> None:
    reply = await telegram.person(stranger).says("/start")
    assert "not registered" in reply.text
    assert await app.services.users.find(stranger.id) is None
