"""Through the bot: /exclusions add respects whose client it is; /start with an invite respects roles."""

from __future__ import annotations

from db.enums import Role
from leadbot.app import Application
from leadbot.errors import UserDeactivated
from leadbot.services.lead_input import LeadDraft
from leadbot.translations import translator
from tests.fakes.telegram import FakeTelegram, Person, User


async def exclusions(app: Application) -> int:
    """How many numbers and addresses are excluded in all."""
    _first_page, total = await app.services.exclusions.page()
    return total


async def test_a_manager_cannot_exclude_another_managers_client(
    app: Application, telegram: FakeTelegram, anna: Person, boris: Person
) -> None:
    boris_actor = await app.services.users.actor(boris.id)
    await app.services.leads.create(
        LeadDraft(name="Иван", phones=["+79161234567"], assignee_id=boris_actor.id)
    )
    refusal = await anna.says("/exclusions add +7 916 123-45-67 конкурент")
    assert "нет прав" in refusal.text
    assert await exclusions(app) == 0
    done = await anna.says("/exclusions add +7 999 000-00-00 доставка пиццы")
    assert "+79990000000" in done.text and await exclusions(app) == 1


async def invite(app: Application, role: Role) -> str:
    admin = await app.services.users.add(1000, Role.ADMIN, "Alla")
    return await app.services.users.create_invite(role, admin)


async def test_an_admin_opening_a_manager_invite_stays_admin(
    app: Application, telegram: FakeTelegram
) -> None:
    await app.services.users.add(4000, Role.ADMIN, "Olga")
    code = await invite(app, Role.MANAGER)
    olga = telegram.person(User(4000, "Olga", language_code="ru"))
    welcome = await olga.says(f"/start {code}")
    assert "администратор" in welcome.text
    assert (await app.services.users.actor(4000)).role is Role.ADMIN


async def test_a_deactivated_user_cannot_come_back_with_an_invite(
    app: Application, telegram: FakeTelegram, anna: Person
) -> None:
    code = await invite(app, Role.MANAGER)
    alla = await app.services.users.actor(1000)
    anna_actor = await app.services.users.actor(anna.id)
    await app.services.users.change(anna_actor.id, alla, active=False)
    refusal = await anna.says(f"/start {code}")
    assert UserDeactivated().render(translator("ru"), html=True) in refusal.text
    assert await app.services.users.find(anna.id) is None
    deceptive = telegram.person(User(4001, "\u202eNew\u200bcomer", language_code="en"))
    newcomer = await deceptive.says(f"/start {code}")
    assert "Welcome, Newcomer!" in newcomer.text
