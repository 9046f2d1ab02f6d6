from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from db.enums import Role
from leadbot.app import Application
from leadbot.clock import FrozenClock
from leadbot.config import Settings
from leadbot.services.lead_input import LeadDraft
from tests.conftest import ADMIN_TG, ALERT_CHAT_ID
from tests.fakes.telegram import WAIT_TIMEOUT, Call, FakeTelegram, Person, User


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
async def quiet_app(
    settings: Settings, telegram: FakeTelegram, clock: FrozenClock
) -> AsyncIterator[Application]:
    """The application without its own delivery worker: the test drives one."""
    configured = settings.model_copy(update={"telegram_api_url": telegram.base_url, "run_background": False})
    async with Application(configured, clock) as application:
        yield application


@pytest.fixture
def admin_user() -> User:
    return User(ADMIN_TG, "Alla", language_code="ru")


@pytest.fixture
def stranger() -> User:
    return User(999_999, "Stranger", language_code="en")


@pytest.fixture
async def anna_user(app: Application) -> User:
    await app.services.users.add(3001, Role.MANAGER, "Anna")
    return User(3001, "Anna", language_code="ru")


@pytest.fixture
async def boris_user(app: Application) -> User:
    await app.services.users.add(3002, Role.MANAGER, "Boris")
    return User(3002, "Boris", language_code="ru")


@pytest.fixture
async def sveta_user(app: Application) -> User:
    await app.services.users.add(2000, Role.SUPERVISOR, "Sveta")
    return User(2000, "Sveta", language_code="en")


@pytest.fixture
def admin(telegram: FakeTelegram, admin_user: User) -> Person:
    """Alla, the administrator named in ADMIN_IDS (registered at /start)."""
    return telegram.person(admin_user)


@pytest.fixture
def anna(telegram: FakeTelegram, anna_user: User) -> Person:
    """Anna, a manager who speaks Russian."""
    return telegram.person(anna_user)


@pytest.fixture
def boris(telegram: FakeTelegram, boris_user: User) -> Person:
    """Boris, a manager who speaks Russian."""
    return telegram.person(boris_user)


@pytest.fixture
def sveta(telegram: FakeTelegram, sveta_user: User) -> Person:
    """Sveta, a supervisor who speaks English."""
    return telegram.person(sveta_user)


async def post_lead(app: Application, telegram: FakeTelegram, **fields: object) -> Call:
    """Create a lead through the service (as any intake would) and wait for its group alert."""
    draft = LeadDraft(**{"name": "Иван Петров", "phones": ["+7 916 123-45-67"], **fields})  # type: ignore[arg-type]
    outcome = await app.services.leads.create(draft)
    assert outcome.lead is not None
    lead_id = outcome.lead.id
    return await card_sent(telegram, ALERT_CHAT_ID, lead_id)


def card_of(call: Call) -> int | None:
    """The lead id a card message is about, read from its first button."""
    from handlers.callbacks import lead_of

    if not call.buttons:
        return None
    return lead_of(call.buttons[0]["callback_data"])


@pytest.fixture
async def lead_alert(app: Application, telegram: FakeTelegram) -> Call:
    return await post_lead(app, telegram)


async def answer_after(telegram: FakeTelegram, mark: int) -> Call:
    return (await telegram.wait_for(lambda c: c.method == "answerCallbackQuery" and c.seq >= mark))[0]


async def leads_count(app: Application) -> int:
    """How many leads there are in all (the export without filters lists every one)."""
    return len(await app.services.exports.rows())


async def card_sent(telegram: FakeTelegram, chat_id: int, lead_id: int) -> Call:
    """The (first) card of the lead the bot sends to the chat, waited for."""
    calls = await telegram.wait_for(
        lambda c: c.method == "sendMessage" and c.chat_id == chat_id and card_of(c) == lead_id
    )
    return calls[0]


async def cards_delivered(person: Person, count: int) -> None:
    """Wait until the person has the cards of the `count` leads just made for them (the delivery worker
    sends them at most one a second): until then one could pass for the bot's reply to what they say."""
    await person.receives(
        lambda c: c.method == "sendMessage" and card_of(c) is not None,
        count=count,
        within=count + WAIT_TIMEOUT,
    )
