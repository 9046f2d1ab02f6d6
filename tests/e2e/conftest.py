from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from leadbot.app import Application
from leadbot.clock import FrozenClock
from leadbot.config import Settings
from tests.conftest import ADMIN_TG
from tests.fakes.telegram import FakeTelegram, User


@pytest.fixture
async def telegram() -> AsyncIterator[FakeTelegram]:
    fake = FakeTelegram()
    await fake.start()
    yield fake
    await fake.stop()


@pytest.fixture
async def app(settings: Settings, telegram: FakeTelegram, clock: FrozenClock) -> AsyncIterator[Application]:
    configured = settings.model_copy(update={"telegram_api_url": telegram.base_url})
    async with Application(configured, clock) as application:
        yield application


@pytest.fixture
def admin_user() -> User:
    return User(ADMIN_TG, "Alla", language_code="ru")


@pytest.fixture
def stranger() -> User:
    return User(999_999, "Stranger", language_code="en")
