"""An invitation registers someone new; it never lowers a role or brings back a deactivated user."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from db.enums import Role
from db.models import Invite
from leadbot.actor import Actor
from leadbot.errors import NotRegistered, UserDeactivated
from leadbot.services.registry import Services
from tests.conftest import ADMIN_TG


async def unused(services: Services, code: str) -> bool:
    async with services.ctx.reading() as session:
        return await session.scalar(select(Invite.used_at).where(Invite.code == code)) is None


@pytest.mark.parametrize("role", [Role.ADMIN, Role.SUPERVISOR])
async def test_an_invite_never_lowers_a_role(services: Services, admin: Actor, role: Role) -> None:
    olga = await services.users.add(4000, role, "Olga")
    code = await services.users.create_invite(Role.MANAGER, admin)
    again = await services.users.accept_invite(code, olga.telegram_id, "Olga")
    assert again.role is role and (await services.users.actor(4000)).role is role
    assert await unused(services, code)  # still there for the one it was meant for
    newcomer = await services.users.accept_invite(code, 4001, "Newcomer")
    assert newcomer.role is Role.MANAGER


async def test_an_invite_may_raise_a_role(services: Services, admin: Actor, anna: Actor) -> None:
    code = await services.users.create_invite(Role.SUPERVISOR, admin)
    promoted = await services.users.accept_invite(code, anna.telegram_id, "Anna")
    assert promoted.role is Role.SUPERVISOR and not await unused(services, code)


async def test_an_invite_does_not_bring_back_a_deactivated_user(
    services: Services, admin: Actor, anna: Actor
) -> None:
    await services.users.change(anna.id, admin, active=False)
    code = await services.users.create_invite(Role.MANAGER, admin)
    with pytest.raises(UserDeactivated):
        await services.users.accept_invite(code, anna.telegram_id, "Anna")
    with pytest.raises(NotRegistered):
        await services.users.actor(anna.telegram_id)
    assert await unused(services, code)
    await services.users.change(anna.id, admin, active=True)  # an admin does it explicitly
    assert (await services.users.actor(anna.telegram_id)).role is Role.MANAGER


async def test_admin_ids_stay_admins_whatever_invite_they_open(services: Services, admin: Actor) -> None:
    code = await services.users.create_invite(Role.MANAGER, admin)
    me = await services.users.accept_invite(code, ADMIN_TG, "Boss")
    assert me.role is Role.ADMIN and (await services.users.actor(ADMIN_TG)).role is Role.ADMIN
    assert await unused(services, code)
