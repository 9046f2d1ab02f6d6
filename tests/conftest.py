from __future__ import annotations

import asyncio
import itertools
import os
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from babel.dates import format_date
from sqlalchemy.engine import make_url

from db.engine import create_engine
from db.enums import Role
from leadbot.actor import Actor
from leadbot.clock import FrozenClock
from leadbot.config import Settings
from leadbot.database import open_database, prepare
from leadbot.services.registry import Services


def suite_start() -> datetime:
    """The application clock's start: 09:00 UTC (12:00 in Moscow) on the Monday of "today"'s week.

    "Today" is the real date, or LEADBOT_TEST_TODAY (YYYY-MM-DD) to run the suite as if on another day:
    nothing may depend on the real date, and CI runs the date-sensitive tests a year ahead to show it.
    """
    given = os.environ.get("LEADBOT_TEST_TODAY")
    today = date.fromisoformat(given) if given else datetime.now(UTC).date()
    return datetime.combine(today - timedelta(days=today.weekday()), time(9), tzinfo=UTC)


START = suite_start()
ALERT_CHAT_ID = -1001234567890
ADMIN_TG = 1000


# The suite runs on SQLite; with LEADBOT_TEST_POSTGRES set to a server's URL (postgresql+asyncpg://…)
# every test gets its own PostgreSQL database instead, copied from one migrated template.
POSTGRES = os.environ.get("LEADBOT_TEST_POSTGRES")
TEMPLATE = "leadbot_template"
_databases = itertools.count(1)


async def _postgres(*statements: str) -> None:
    import asyncpg  # only installed with the postgres extra

    server = make_url(POSTGRES or "")
    connection = await asyncpg.connect(
        host=server.host,
        port=server.port,
        user=server.username,
        password=server.password,
        database="postgres",
    )
    try:
        for statement in statements:
            await connection.execute(statement)
    finally:
        await connection.close()


def _on_postgres(name: str) -> str:
    return make_url(POSTGRES or "").set(database=name).render_as_string(hide_password=False)


async def _build_template() -> None:
    await _postgres(f"DROP DATABASE IF EXISTS {TEMPLATE} WITH (FORCE)", f"CREATE DATABASE {TEMPLATE}")
    engine = create_engine(_on_postgres(TEMPLATE))
    try:
        await prepare(engine)
    finally:
        await engine.dispose()


@pytest.fixture(scope="session")
def postgres_template() -> Iterator[None]:
    if POSTGRES:
        asyncio.run(_build_template())
    yield
    if POSTGRES:
        asyncio.run(_postgres(f"DROP DATABASE IF EXISTS {TEMPLATE} WITH (FORCE)"))


@pytest.fixture
def database_url(tmp_path: Path, postgres_template: None) -> Iterator[str]:
    if not POSTGRES:
        yield f"sqlite+aiosqlite:///{tmp_path / 'leadbot.db'}"
        return
    name = f"leadbot_test_{os.getpid()}_{next(_databases)}"
    asyncio.run(_postgres(f"CREATE DATABASE {name} TEMPLATE {TEMPLATE}"))
    yield _on_postgres(name)
    asyncio.run(_postgres(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(
        _env_file=None,
        database_url=database_url,
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


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """A moment `day` days after START's date, at hour:minute UTC."""
    return datetime.combine(START.date() + timedelta(days=day), time(hour, minute), tzinfo=UTC)


def ru_day(moment: datetime, zone: str = "Europe/Moscow") -> str:
    """How Russian UI text writes a day and short month, e.g. "24 нояб."."""
    return format_date(moment.astimezone(ZoneInfo(zone)), "d MMM", locale="ru")
