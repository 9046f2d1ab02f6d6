from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from db.enums import Role
from leadbot.actor import Actor
from leadbot.clock import FrozenClock
from leadbot.config import Settings
from leadbot.database import open_database
from leadbot.services.registry import Services

START = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
ALERT_CHAT_ID = -1001234567890
ADMIN_TG = 1000


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        _env_file=None,
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'leadbot.db'}",
        bot_token="123456:TEST-token",
        alert_chat_id=ALERT_CHAT_ID,
        admin_ids=frozenset({ADMIN_TG}),
        default_region="RU",
        timezone="Europe/Moscow",
        locale="ru",
        api_token="secret-token",
        http_port=0,
    )


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(START)


@pytest.fixture
async def services(settings: Settings, clock: FrozenClock) -> AsyncIterator[Services]:
    async with open_database(settings, clock) as ctx:
        yield Services.build(ctx)


@pytest.fixture
async def admin(services: Services) -> Actor:
    return await services.users.add(ADMIN_TG, Role.ADMIN, "Admin")


@pytest.fixture
async def supervisor(services: Services) -> Actor:
    return await services.users.add(2000, Role.SUPERVISOR, "Sveta Supervisor")


@pytest.fixture
async def anna(services: Services, supervisor: Actor, admin: Actor) -> Actor:
    actor = await services.users.add(3001, Role.MANAGER, "Anna")
    await services.users.change(actor.id, admin, supervisor_id=supervisor.id)
    return await services.users.actor(3001)


@pytest.fixture
async def boris(services: Services) -> Actor:
    return await services.users.add(3002, Role.MANAGER, "Boris")
