"""/help and the command menus show what the reader's role may use."""

from __future__ import annotations

from typing import Any

from db.enums import Role
from handlers.commands import publish_team_commands
from handlers.i18n import build_i18n
from leadbot.app import Application
from tests.conftest import ADMIN_TG
from tests.e2e.test_commands import say
from tests.fakes.telegram import Call, FakeTelegram, User

EVERYONE = {
    "/new",
    "/lead",
    "/find",
    "/leads",
    "/my",
    "/today",
    "/report",
    "/exclusions",
    "/settings",
    "/help",
}
SUPERVISORS = {"/export"}
ADMINS = {"/invite", "/users", "/statuses", "/forms"}


def commands_in(text: str) -> set[str]:
    """The commands a help text explains: the first word of each line that starts with one."""
    return {line.split()[0].rstrip(":") for line in text.splitlines() if line.startswith("/")}


def menu_of(call: Call) -> set[str]:
    return {"/" + command["command"] for command in call.params["commands"]}


def scope_of(call: Call) -> dict[str, Any]:
    return call.params.get("scope") or {"type": "default"}


async def test_help_shows_each_role_its_own_commands_in_groups(
    app: Application, telegram: FakeTelegram, admin_user: User, anna_user: User, sveta_user: User
) -> None:
    manager = await say(telegram, anna_user, "/help")
    assert commands_in(manager.text) == EVERYONE | {"/cancel"}
    assert "<b>Лиды</b>" in manager.text and "CSV" not in manager.text

    supervisor = await say(telegram, sveta_user, "/help")
    assert commands_in(supervisor.text) == EVERYONE | SUPERVISORS | {"/cancel"}
    assert "<b>Reports and files</b>" in supervisor.text and "CSV" in supervisor.text
    assert "<b>Administration</b>" not in supervisor.text

    greeting = await say(telegram, admin_user, "/start")  # registers the admin, then explains
    assert commands_in(greeting.text) == EVERYONE | SUPERVISORS | ADMINS | {"/cancel"}
    admin_help = await say(telegram, admin_user, "/help")
    assert commands_in(admin_help.text) == commands_in(greeting.text)
    sections = [line for line in admin_help.text.splitlines() if line.startswith("<b>")]
    assert len(sections) == 5  # the title, then leads, reports and files, administration, settings and help


async def test_the_common_menu_has_no_admin_commands_and_an_admin_gets_a_menu_of_their_own(
    app: Application, telegram: FakeTelegram, admin_user: User, anna_user: User
) -> None:
    common = [c for c in telegram.sent("setMyCommands") if scope_of(c)["type"] == "default"]
    assert {c.params.get("language_code") for c in common} == {None, "ru", "en"}
    assert all(menu_of(c) == EVERYONE | {"/cancel"} for c in common)

    mark = telegram.mark()
    await say(telegram, admin_user, "/start")
    own = await telegram.wait_for(lambda c: c.method == "setMyCommands" and c.seq >= mark)
    assert scope_of(own[0]) == {"type": "chat", "chat_id": admin_user.id}
    assert menu_of(own[0]) == EVERYONE | SUPERVISORS | ADMINS | {"/cancel"}
    assert "добавить лид" in [c["description"] for c in own[0].params["commands"]]

    mark = telegram.mark()
    await say(telegram, anna_user, "/start")  # a manager: the common menu, nothing of her own
    dropped = await telegram.wait_for(lambda c: c.method == "deleteMyCommands" and c.seq >= mark)
    assert scope_of(dropped[0]) == {"type": "chat", "chat_id": anna_user.id}
    assert not [c for c in telegram.sent("setMyCommands") if c.seq >= mark]


async def test_at_start_supervisors_and_admins_get_their_menus_in_their_language(
    app: Application, telegram: FakeTelegram, anna_user: User, sveta_user: User
) -> None:
    await app.services.users.add(ADMIN_TG, Role.ADMIN, "Alla")
    await app.services.users.set_language(sveta_user.id, "en")
    mark = telegram.mark()
    await publish_team_commands(app.bot, build_i18n("ru"), app.services.users)
    menus = {scope_of(c)["chat_id"]: c for c in telegram.sent("setMyCommands") if c.seq >= mark}
    assert set(menus) == {ADMIN_TG, sveta_user.id}  # Anna, a manager, has the common one
    assert menu_of(menus[ADMIN_TG]) == EVERYONE | SUPERVISORS | ADMINS | {"/cancel"}
    assert menu_of(menus[sveta_user.id]) == EVERYONE | SUPERVISORS | {"/cancel"}
    assert "add a lead" in [c["description"] for c in menus[sveta_user.id].params["commands"]]
