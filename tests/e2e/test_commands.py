"""Commands and dialogs: /new, shared contacts, /find, /leads, /my, /settings, /invite, /users, /statuses."""

from __future__ import annotations

from db.enums import Role
from leadbot.app import Application
from leadbot.services.lead_input import LeadDraft
from tests.conftest import ALERT_CHAT_ID
from tests.e2e.conftest import card_of, card_sent, cards_delivered
from tests.fakes.telegram import FakeTelegram, Person, User


async def test_new_lead_dialog_saves_after_showing_the_match(
    app: Application, telegram: FakeTelegram, anna: Person
) -> None:
    await app.services.leads.create(LeadDraft(name="Иван Петров", phones=["+79161234567"]))
    assert "Кто клиент" in (await anna.says("/new")).text
    assert "телефон" in (await anna.says("Иван")).text.lower()
    refusal = await anna.says("12-34")
    assert "не похоже на номер" in refusal.text
    email_question = await anna.says("8 (916) 123-45-67")
    assert "E-mail" in email_question.text
    company_question = await anna.choose(email_question, "Пропустить")
    assert "Компания" in company_question.text
    sources = await anna.says("ООО <Ромашка>")
    comment_question = await anna.choose(sources, "Звонок")
    amount_question = await anna.says("Хочет <b>счёт</b>")
    assert "сумма" in amount_question.text.lower()
    assert "не сумма" in (await anna.says("дорого")).text
    summary = await anna.says("15 000")
    assert "Открытый лид #1" in summary.text
    assert "&lt;b&gt;счёт&lt;/b&gt;" in summary.text and "ООО &lt;Ромашка&gt;" in summary.text
    saved = await anna.choose(summary, "Сохранить")
    assert "лид #2" in saved.text
    card = await app.services.queries.card(2)
    anna_actor = await app.services.users.actor(anna.id)
    assert (card.lead.assignee_id, card.lead.source_code, str(card.lead.amount)) == (
        anna_actor.id,
        "CALL",
        "15000.00",
    )
    await card_sent(telegram, ALERT_CHAT_ID, 2)
    assert comment_question.text


async def test_new_lead_dialog_cancel_saves_nothing(
    app: Application, telegram: FakeTelegram, anna: Person
) -> None:
    await anna.says("/new")
    await anna.says("Пётр")
    cancelled = await anna.says("/cancel")
    assert "Ничего не сохранено" in cancelled.text
    assert (await app.services.queries.find("Пётр")).total == 0
    assert "Отменять нечего" in (await anna.says("/cancel")).text


async def test_shared_contact_starts_a_lead(app: Application, telegram: FakeTelegram, anna: Person) -> None:
    summary = await anna.shares_contact("79031234567", "Ольга", "Смирнова")
    assert "Ольга Смирнова" in summary.text and "+7 903 123-45-67" in summary.text
    await anna.choose(summary, "Сохранить")
    found = await app.services.queries.find("+7 903 123 45 67")
    assert found.total == 1


async def test_find_by_a_differently_formatted_phone(
    app: Application, telegram: FakeTelegram, anna: Person
) -> None:
    await app.services.leads.create(LeadDraft(name="Иван Петров", phones=["+7 916 123-45-67"]))
    await app.services.leads.create(LeadDraft(name="Анна Каренина", emails=["anna@example.com"]))
    found = await anna.says("/find 8 (916) 1234567")
    assert "Иван Петров" in found.text and "Каренина" not in found.text
    by_name = await anna.says("/find иван")
    assert "Иван Петров" in by_name.text
    by_mail = await anna.says("/find ANNA@example.com")
    assert "Анна Каренина" in by_mail.text
    card = await anna.choose(found, "#1")
    assert card_of(card) == 1


async def test_pipeline_and_my_leads(app: Application, telegram: FakeTelegram, anna: Person) -> None:
    anna_actor = await app.services.users.actor(anna.id)
    for number in range(12):
        await app.services.leads.create(
            LeadDraft(name=f"Клиент {number}", amount="1000", assignee_id=anna_actor.id)
        )
    await cards_delivered(anna, 12)
    pipeline = await anna.says("/leads")
    assert "Новый: <b>12</b> · 12\xa0000,00\xa0₽" in pipeline.text
    listing = await anna.choose(pipeline, "Новый (12)")
    assert "Страница 1 из 2" in listing.text
    await anna.press(listing, "▶")
    second = await telegram.message_now(listing, edit="editMessageText")
    assert "Страница 2 из 2" in second.text
    mine = await anna.says("/my")
    assert "#1 · Клиент 0" in mine.text  # oldest first


async def test_english_speaker_gets_english(app: Application, telegram: FakeTelegram, sveta: Person) -> None:
    await app.services.leads.create(LeadDraft(name="John", phones=["+16502530000"]))
    reply = await sveta.says("/lead 1")
    labels = reply.labels
    for word in ("Take", "Status", "Link", "Convert", "Junk", "Exclude", "Remind", "History"):
        assert word in labels
    assert "Status: <b>New</b>" in reply.text and "+1 650-253-0000" in reply.text
    settings = await sveta.says("/settings")
    assert "Сохранено" in (await sveta.press(settings, "Русский")).text
    assert "Статус" in (await sveta.says("/lead 1")).labels
    zone = await sveta.says("/settings tz Asia/Yekaterinburg")
    assert "Asia/Yekaterinburg" in zone.text
    assert "часовой пояс" in (await sveta.says("/settings tz Mars/Base")).text


async def test_invite_registers_a_new_manager_once(
    app: Application, telegram: FakeTelegram, admin: Person, stranger: User
) -> None:
    await admin.says("/start")
    invitation = await admin.says("/invite manager")
    code = invitation.text.split("start=")[1].strip()
    welcome = await telegram.person(stranger).says(f"/start {code}")
    assert "manager" in welcome.text
    assert (await app.services.users.actor(stranger.id)).role is Role.MANAGER
    intruder = telegram.person(User(777, "Mallory", language_code="en"))
    assert "invitation is unknown" in (await intruder.says(f"/start {code}")).text
    users = await admin.says("/users")
    assert "Stranger" in users.text


async def test_admin_adds_a_status_and_a_manager_cannot(
    app: Application, telegram: FakeTelegram, admin: Person, anna: Person
) -> None:
    await admin.says("/start")
    listing = await admin.says("/statuses add CALL_BACK Перезвонить | Call back")
    assert "CALL_BACK" in listing.text
    assert "нет прав" in (await anna.says("/statuses add X2 Икс | X")).text
    assert "нет прав" in (await anna.says("/users")).text
    await admin.press(listing, "▲ Перезвонить")
    await telegram.message_now(listing, edit="editMessageText")
    codes = [s.code for s in await app.services.directories.process_statuses()]
    assert codes == ["NEW", "IN_PROCESS", "CALL_BACK", "PROCESSED"]


async def test_the_pipeline_never_adds_currencies(
    app: Application, telegram: FakeTelegram, anna: Person
) -> None:
    await app.services.leads.create(LeadDraft(name="Рубли", amount="1000"))
    await app.services.leads.create(LeadDraft(name="Евро", amount="100", currency="EUR"))
    pipeline = await anna.says("/leads")
    assert "Новый: <b>2</b> · 100,00\xa0€, 1\xa0000,00\xa0₽" in pipeline.text
