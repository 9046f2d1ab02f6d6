"""Money, numbers, dates and names in the reader's language: cards, /leads, /my, /exclusions, /invite."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from babel.dates import format_date

from leadbot.app import Application
from leadbot.services.lead_input import LeadDraft
from tests.conftest import ADMIN_TG, START
from tests.e2e.test_commands import say
from tests.fakes.telegram import FakeTelegram, User

NBSP = "\u00a0"
MOSCOW = ZoneInfo("Europe/Moscow")


async def in_english(app: Application, telegram: FakeTelegram, user: User) -> None:
    if await app.services.users.find(user.id) is None:
        await say(telegram, user, "/start")
    await app.services.users.set_language(user.id, "en")


async def test_amounts_follow_the_readers_locale(
    app: Application, telegram: FakeTelegram, anna_user: User, sveta_user: User
) -> None:
    anna = await app.services.users.actor(anna_user.id)
    await app.services.leads.create(
        LeadDraft(name="John", amount="250000", currency="RUB", assignee_id=anna.id)
    )
    await in_english(app, telegram, sveta_user)
    card = await say(telegram, sveta_user, "/lead 1")
    assert f"Amount: RUB{NBSP}250,000.00" in card.text
    pipeline = await say(telegram, sveta_user, "/leads")
    assert f"New: <b>1</b> · RUB{NBSP}250,000.00" in pipeline.text
    russian = await say(telegram, anna_user, "/leads")
    assert f"Новый: <b>1</b> · 250{NBSP}000,00{NBSP}₽" in russian.text
    mine = await say(telegram, anna_user, "/my")
    assert f"#1 · John · 250{NBSP}000,00{NBSP}₽" in mine.text


async def test_invite_names_the_role_in_the_readers_language(
    app: Application, telegram: FakeTelegram, admin_user: User
) -> None:
    await say(telegram, admin_user, "/start")
    russian = await say(telegram, admin_user, "/invite manager")
    assert "менеджер" in russian.text and "manager" not in russian.text.split("http")[0]
    await in_english(app, telegram, admin_user)
    english = await say(telegram, admin_user, "/invite admin")
    assert english.text.startswith("One-time invitation (administrator), valid for 7 days:")


async def test_exclusions_read_in_the_readers_language(
    app: Application, telegram: FakeTelegram, admin_user: User, anna_user: User
) -> None:
    await app.services.leads.create(LeadDraft(name="Спамер", phones=["+79035550000"]))
    await app.services.leads.exclude(1, await app.services.users.actor(anna_user.id))
    await say(telegram, admin_user, "/start")
    await app.services.exclusions.add("+79035550001", await app.services.users.actor(ADMIN_TG), "pizza")
    russian = await say(telegram, admin_user, "/exclusions")
    day = format_date(START.astimezone(MOSCOW), "medium", locale="ru")
    assert f"+7 903 555-00-01 · pizza · {day} · заблокировано: 0" in russian.text
    await in_english(app, telegram, admin_user)
    english = await say(telegram, admin_user, "/exclusions")
    day = format_date(START.astimezone(MOSCOW), "medium", locale="en")
    assert f"+7 903 555-00-00 · from lead #1 · {day} · blocked: 0" in english.text
    assert f"+7 903 555-00-01 · pizza · {day} · blocked: 0" in english.text
