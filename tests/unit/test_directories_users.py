import asyncio
from datetime import timedelta

import pytest

from db.enums import Role
from leadbot.actor import Actor
from leadbot.clock import FrozenClock
from leadbot.errors import Forbidden, InvalidValue, InviteInvalid, NotRegistered
from leadbot.services.directories import Directory
from leadbot.services.registry import Services
from leadbot.services.users import InvalidTelegramId, LastAdmin


async def test_admin_adds_renames_and_reorders_statuses(services: Services, admin: Actor) -> None:
    await services.directories.add(Directory.STATUSES, "call_back", "Перезвонить", "Call back", admin)
    await services.directories.rename(
        Directory.STATUSES, "IN_PROCESS", admin, ru="В работе у менеджера", en=None
    )
    await services.directories.move(Directory.STATUSES, "CALL_BACK", -1, admin)
    codes = [s.code for s in await services.directories.process_statuses()]
    assert codes == ["NEW", "IN_PROCESS", "CALL_BACK", "PROCESSED"]
    statuses = {s.code: s for s in await services.directories.entries(Directory.STATUSES)}
    assert statuses["IN_PROCESS"].name_ru == "В работе у менеджера"
    all_codes = [s.code for s in await services.directories.entries(Directory.STATUSES)]
    assert all_codes.index("CALL_BACK") < all_codes.index("CONVERTED")


async def test_directory_refusals(services: Services, admin: Actor, anna: Actor) -> None:
    with pytest.raises(Forbidden):
        await services.directories.add(Directory.SOURCES, "TIKTOK", "ТикТок", "TikTok", anna)
    with pytest.raises(InvalidValue):
        await services.directories.add(Directory.SOURCES, "bad code!", "x", "x", admin)
    with pytest.raises(InvalidValue):
        await services.directories.add(Directory.SOURCES, "CALL", "Звонок", "Call", admin)
    reason = await services.directories.add(
        Directory.JUNK_REASONS, "COMPETITOR", "Конкурент", "Competitor", admin
    )
    assert reason.code == "COMPETITOR"
    with pytest.raises(InvalidValue):  # nothing visible is left of the name
        await services.directories.add(Directory.SOURCES, "GHOST", "\u200b\u202e", "\x00", admin)
    renamed = await services.directories.add(
        Directory.SOURCES, "TRAP", "\u202eexe.gpj", "Trap\u200b source", admin
    )
    assert (renamed.name_ru, renamed.name_en) == ("exe.gpj", "Trap source")


async def test_invite_registers_once(services: Services, admin: Actor, clock: FrozenClock) -> None:
    code = await services.users.create_invite(Role.SUPERVISOR, admin)
    sveta = await services.users.accept_invite(code, 555, "Sveta")
    assert sveta.role is Role.SUPERVISOR
    with pytest.raises(InviteInvalid):
        await services.users.accept_invite(code, 556, "Someone")
    late = await services.users.create_invite(Role.MANAGER, admin)
    clock.advance(timedelta(days=8))
    with pytest.raises(InviteInvalid):
        await services.users.accept_invite(late, 557, "Late")


async def test_only_admin_ids_self_register(services: Services) -> None:
    with pytest.raises(NotRegistered):
        await services.users.register_admin(12345, "Mallory")
    admin = await services.users.register_admin(1000, "Boss")
    assert admin.role is Role.ADMIN


async def test_deactivated_user_is_not_an_actor(services: Services, admin: Actor, anna: Actor) -> None:
    with pytest.raises(Forbidden):
        await services.users.change(admin.id, anna, role=Role.MANAGER)
    await services.users.change(anna.id, admin, active=False)
    with pytest.raises(NotRegistered):
        await services.users.actor(anna.telegram_id)


async def test_language_and_timezone(services: Services, anna: Actor) -> None:
    assert (await services.users.set_language(anna.telegram_id, "en")).language == "en"
    assert (
        await services.users.set_timezone(anna.telegram_id, "Asia/Yekaterinburg")
    ).timezone == "Asia/Yekaterinburg"
    with pytest.raises(InvalidValue):
        await services.users.set_timezone(anna.telegram_id, "Nowhere/Land")
    with pytest.raises(InvalidValue):
        await services.users.set_language(anna.telegram_id, "de")


async def test_the_only_active_admin_is_neither_demoted_nor_turned_off(
    services: Services, admin: Actor, anna: Actor
) -> None:
    """The bot's /users and the command line go through the same rule."""
    for change in ({"role": Role.SUPERVISOR}, {"active": False}):
        with pytest.raises(LastAdmin) as refused:
            await services.users.change(admin.id, admin, **change)  # type: ignore[arg-type]
        assert refused.value.render() == (
            "Admin is the only active admin: make another user an admin first, "
            "or nobody will be able to manage the team."
        )
    with pytest.raises(LastAdmin):
        await services.users.add(admin.telegram_id, Role.MANAGER, "Admin")
    with pytest.raises(LastAdmin):
        await services.users.set_active(admin.telegram_id, False)
    await services.users.change(anna.id, admin, role=Role.ADMIN)
    demoted = await services.users.change(
        admin.id, await services.users.actor(anna.telegram_id), role=Role.MANAGER
    )
    assert demoted.role is Role.MANAGER
    with pytest.raises(LastAdmin):  # anna is the only one now
        await services.users.set_active(anna.telegram_id, False)


@pytest.mark.parametrize("telegram_id", [0, -5])
async def test_a_telegram_id_is_positive(services: Services, telegram_id: int) -> None:
    with pytest.raises(InvalidTelegramId):
        await services.users.add(telegram_id, Role.MANAGER, "Nobody")
    assert list(await services.users.all()) == []


async def test_two_admins_turning_each_other_off_at_once_leave_one(
    services: Services, admin: Actor, anna: Actor
) -> None:
    await services.users.change(anna.id, admin, role=Role.ADMIN)
    anna = await services.users.actor(anna.telegram_id)
    for _round in range(5):
        outcomes = await asyncio.gather(
            services.users.change(anna.id, admin, active=False),
            services.users.change(admin.id, anna, active=False),
            return_exceptions=True,
        )
        admins = [u for u in await services.users.all() if u.active and u.role is Role.ADMIN]
        assert len(admins) >= 1, outcomes
        for user in (admin, anna):  # both back for the next round
            await services.users.set_active(user.telegram_id, True)
