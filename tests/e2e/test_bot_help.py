"""/help and the command menus show what the reader's role may use."""

from __future__ import annotations

from typing import Any

from db.enums import Role
from handlers.commands import publish_team_commands
from handlers.i18n import build_i18n
from leadbot.app import Application
from tests.conftest import ADMIN_TG
from tests.fakes.telegram import Call, FakeTelegram, Person

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
    app: Application, telegram: FakeTelegram, admin: Person, anna: Person, sveta: Person
) -> None:
    manager = await anna.says("/help")
    assert commands_in(manager.text) == EVERYONE | {"/cancel"}
    assert "<b>Лиды</b>" in manager.text and "CSV" not in manager.text

    supervisor = await sveta.says("/help")
    assert commands_in(supervisor.text) == EVERYONE | SUPERVISORS | {"/cancel"}
    assert "<b>Reports and files</b>" in supervisor.text and "CSV" in supervisor.text
    assert "<b>Administration</b>" not in supervisor.text

    greeting = await admin.says("/start")  # registers the admin, then explains
    assert commands_in(greeting.text) == EVERYONE | SUPERVISORS | ADMINS | {"/cancel"}
    admin_help = await admin.says("/help")
    assert commands_in(admin_help.text) == commands_in(greeting.text)
    sections = [line for line in admin_help.text.splitlines() if line.startswith("<b>")]
    assert len(sections) == 5  # the title, then leads, reports and files, administration, settings and help


async def test_the_common_menu_has_no_admin_commands_and_an_admin_gets_a_menu_of_their_own(
    app: Application, telegram: FakeTelegram, admin: Person, anna: Person
) -> None:
    common = [c for c in telegram.sent("setMyCommands") if scope_of(c)["type"] == "default"]
    assert {c.params.get("language_code") for c in common} == {None, "ru", "en"}
    assert all(menu_of(c) == EVERYONE | {"/cancel"} for c in common)

    await admin.says("/start")
    own = await telegram.next_call("setMyCommands")
    assert scope_of(own) == {"type": "chat", "chat_id": admin.id}
    assert menu_of(own) == EVERYONE | SUPERVISORS | ADMINS | {"/cancel"}
    assert "добавить лид" in [c["description"] for c in own.params["commands"]]

    await anna.says("/start")  # a manager: the common menu, nothing of her own
    dropped = await telegram.next_call("deleteMyCommands")
    assert scope_of(dropped) == {"type": "chat", "chat_id": anna.id}
    assert not telegram.recent("setMyCommands")


async def test_at_start_supervisors_and_admins_get_their_menus_in_their_language(
    app: Application, telegram: FakeTelegram, anna: Person, sveta: Person
) -> None:
    await app.services.users.add(ADMIN_TG, Role.ADMIN, "Alla")
    await app.services.users.set_language(sveta.id, "en")
    telegram.from_now_on()
    await publish_team_commands(app.bot, build_i18n("ru"), app.services.users)
    menus = {scope_of(c)["chat_id"]: c for c in telegram.recent("setMyCommands")}
    assert set(menus) == {ADMIN_TG, sveta.id}  # Anna, a manager, has the common one
    assert menu_of(menus[ADMIN_TG]) == EVERYONE | SUPERVISORS | ADMINS | {"/cancel"}
    assert menu_of(menus[sveta.id]) == EVERYONE | SUPERVISORS | {"/cancel"}
    assert "add a lead" in [c["description"] for c in menus[sveta.id].params["commands"]]
