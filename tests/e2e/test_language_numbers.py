"""Money, numbers, dates and names in the reader's language: cards, /leads, /my, /exclusions, /invite."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from babel.dates import format_date

from leadbot.app import Application
from leadbot.services.lead_input import LeadDraft
from tests.conftest import ADMIN_TG, START
from tests.e2e.conftest import cards_delivered
from tests.fakes.telegram import FakeTelegram, Person

NBSP = "\u00a0"
MOSCOW = ZoneInfo("Europe/Moscow")


async def in_english(app: Application, person: Person) -> None:
    if await app.services.users.find(person.id) is None:
        await person.says("/start")
    await app.services.users.set_language(person.id, "en")


async def test_amounts_follow_the_readers_locale(
    app: Application, telegram: FakeTelegram, anna: Person, sveta: Person
) -> None:
    anna_actor = await app.services.users.actor(anna.id)
    await app.services.leads.create(
        LeadDraft(name="John", amount="250000", currency="RUB", assignee_id=anna_actor.id)
    )
    await cards_delivered(anna, 1)
    await in_english(app, sveta)
    card = await sveta.says("/lead 1")
    assert f"Amount: RUB{NBSP}250,000.00" in card.text
    pipeline = await sveta.says("/leads")
    assert f"New: <b>1</b> · RUB{NBSP}250,000.00" in pipeline.text
    russian = await anna.says("/leads")
    assert f"Новый: <b>1</b> · 250{NBSP}000,00{NBSP}₽" in russian.text
    mine = await anna.says("/my")
    assert f"#1 · John · 250{NBSP}000,00{NBSP}₽" in mine.text


async def test_invite_names_the_role_in_the_readers_language(
    app: Application, telegram: FakeTelegram, admin: Person
) -> None:
    await admin.says("/start")
    russian = await admin.says("/invite manager")
    assert "менеджер" in russian.text and "manager" not in russian.text.split("http")[0]
    await in_english(app, admin)
    english = await admin.says("/invite admin")
    assert english.text.startswith("One-time invitation (administrator), valid for 7 days:")


async def test_exclusions_read_in_the_readers_language(
    app: Application, telegram: FakeTelegram, admin: Person, anna: Person
) -> None:
    await app.services.leads.create(LeadDraft(name="Спамер", phones=["+79035550000"]))
    await app.services.leads.exclude(1, await app.services.users.actor(anna.id))
    await admin.says("/start")
    await app.services.exclusions.add("+79035550001", await app.services.users.actor(ADMIN_TG), "pizza")
    russian = await admin.says("/exclusions")
    day = format_date(START.astimezone(MOSCOW), "medium", locale="ru")
    assert f"+7 903 555-00-01 · pizza · {day} · заблокировано: 0" in russian.text
    await in_english(app, admin)
    english = await admin.says("/exclusions")
    day = format_date(START.astimezone(MOSCOW), "medium", locale="en")
    assert f"+7 903 555-00-00 · from lead #1 · {day} · blocked: 0" in english.text
    assert f"+7 903 555-00-01 · pizza · {day} · blocked: 0" in english.text
