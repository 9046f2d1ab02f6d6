"""Commands and dialogs: /new, shared contacts, /find, /leads, /my, /settings, /invite, /users, /statuses."""

from __future__ import annotations

from typing import Any

from db.enums import Role
from leadbot.app import Application
from leadbot.services.lead_input import LeadDraft
from tests.conftest import ALERT_CHAT_ID
from tests.e2e.conftest import answer_after, card_of
from tests.fakes.telegram import Call, FakeTelegram, User


async def say(telegram: FakeTelegram, user: User, text: str, **extra: Any) -> Call:
    mark = telegram.mark()
    await telegram.send_message(user, text, **extra)
    return await telegram.reply_to(user.id, after=mark)


async def tap(telegram: FakeTelegram, user: User, message: Call, word: str) -> Call:
    mark = telegram.mark()
    await telegram.press(user, message, word)
    return await telegram.reply_to(user.id, after=mark)


async def test_new_lead_dialog_saves_after_showing_the_match(
    app: Application, telegram: FakeTelegram, anna_user: User
) -> None:
    await app.services.leads.create(LeadDraft(name="Иван Петров", phones=["+79161234567"]))
    assert "Кто клиент" in (await say(telegram, anna_user, "/new")).text
    assert "телефон" in (await say(telegram, anna_user, "Иван")).text.lower()
    refusal = await say(telegram, anna_user, "12-34")
    assert "не похоже на номер" in refusal.text
    email_question = await say(telegram, anna_user, "8 (916) 123-45-67")
    assert "E-mail" in email_question.text
    company_question = await tap(telegram, anna_user, email_question, "Пропустить")
    assert "Компания" in company_question.text
    sources = await say(telegram, anna_user, "ООО <Ромашка>")
    comment_question = await tap(telegram, anna_user, sources, "Звонок")
    amount_question = await say(telegram, anna_user, "Хочет <b>счёт</b>")
    assert "сумма" in amount_question.text.lower()
    assert "не сумма" in (await say(telegram, anna_user, "дорого")).text
    summary = await say(telegram, anna_user, "15 000")
    assert "Открытый лид #1" in summary.text
    assert "&lt;b&gt;счёт&lt;/b&gt;" in summary.text and "ООО &lt;Ромашка&gt;" in summary.text
    mark = telegram.mark()
    await telegram.press(anna_user, summary, "Сохранить")
    saved = await telegram.reply_to(anna_user.id, after=mark)
    assert "лид #2" in saved.text
    card = await app.services.queries.card(2)
    anna = await app.services.users.actor(anna_user.id)
    assert (card.lead.assignee_id, card.lead.source_code, str(card.lead.amount)) == (
        anna.id,
        "CALL",
        "15000.00",
    )
    await telegram.wait_for(lambda c: c.chat_id == ALERT_CHAT_ID and card_of(c) == 2)
    assert comment_question.text


async def test_new_lead_dialog_cancel_saves_nothing(
    app: Application, telegram: FakeTelegram, anna_user: User
) -> None:
    await say(telegram, anna_user, "/new")
    await say(telegram, anna_user, "Пётр")
    cancelled = await say(telegram, anna_user, "/cancel")
    assert "Ничего не сохранено" in cancelled.text
    assert (await app.services.queries.find("Пётр")).total == 0
    assert "Отменять нечего" in (await say(telegram, anna_user, "/cancel")).text


async def test_shared_contact_starts_a_lead(
    app: Application, telegram: FakeTelegram, anna_user: User
) -> None:
    mark = telegram.mark()
    await telegram.send_contact(anna_user, "79031234567", "Ольга", "Смирнова")
    summary = await telegram.reply_to(anna_user.id, after=mark)
    assert "Ольга Смирнова" in summary.text and "+7 903 123-45-67" in summary.text
    mark = telegram.mark()
    await telegram.press(anna_user, summary, "Сохранить")
    await telegram.reply_to(anna_user.id, after=mark)
    found = await app.services.queries.find("+7 903 123 45 67")
    assert found.total == 1


async def test_find_by_a_differently_formatted_phone(
    app: Application, telegram: FakeTelegram, anna_user: User
) -> None:
    await app.services.leads.create(LeadDraft(name="Иван Петров", phones=["+7 916 123-45-67"]))
    await app.services.leads.create(LeadDraft(name="Анна Каренина", emails=["anna@example.com"]))
    found = await say(telegram, anna_user, "/find 8 (916) 1234567")
    assert "Иван Петров" in found.text and "Каренина" not in found.text
    by_name = await say(telegram, anna_user, "/find иван")
    assert "Иван Петров" in by_name.text
    by_mail = await say(telegram, anna_user, "/find ANNA@example.com")
    assert "Анна Каренина" in by_mail.text
    card = await tap(telegram, anna_user, found, "#1")
    assert card_of(card) == 1


async def test_pipeline_and_my_leads(app: Application, telegram: FakeTelegram, anna_user: User) -> None:
    anna = await app.services.users.actor(anna_user.id)
    for number in range(12):
        await app.services.leads.create(
            LeadDraft(name=f"Клиент {number}", amount="1000", assignee_id=anna.id)
        )
    pipeline = await say(telegram, anna_user, "/leads")
    assert "Новый: <b>12</b> · 12\xa0000,00\xa0₽" in pipeline.text
    listing = await tap(telegram, anna_user, pipeline, "Новый (12)")
    assert "Страница 1 из 2" in listing.text
    mark = telegram.mark()
    await telegram.press(anna_user, listing, "▶")
    second = (await telegram.wait_for(lambda c: c.method == "editMessageText" and c.seq >= mark))[0]
    assert "Страница 2 из 2" in second.text
    mine = await say(telegram, anna_user, "/my")
    assert "#1 · Клиент 0" in mine.text  # oldest first


async def test_english_speaker_gets_english(
    app: Application, telegram: FakeTelegram, sveta_user: User
) -> None:
    await app.services.leads.create(LeadDraft(name="John", phones=["+16502530000"]))
    reply = await say(telegram, sveta_user, "/lead 1")
    labels = " ".join(b["text"] for b in reply.buttons)
    for word in ("Take", "Status", "Link", "Convert", "Junk", "Exclude", "Remind", "History"):
        assert word in labels
    assert "Status: <b>New</b>" in reply.text and "+1 650-253-0000" in reply.text
    settings = await say(telegram, sveta_user, "/settings")
    mark = telegram.mark()
    await telegram.press(sveta_user, settings, "Русский")
    assert "Сохранено" in (await answer_after(telegram, mark)).text
    assert "Статус" in " ".join(b["text"] for b in (await say(telegram, sveta_user, "/lead 1")).buttons)
    zone = await say(telegram, sveta_user, "/settings tz Asia/Yekaterinburg")
    assert "Asia/Yekaterinburg" in zone.text
    assert "часовой пояс" in (await say(telegram, sveta_user, "/settings tz Mars/Base")).text


async def test_invite_registers_a_new_manager_once(
    app: Application, telegram: FakeTelegram, admin_user: User, stranger: User
) -> None:
    await say(telegram, admin_user, "/start")
    invitation = await say(telegram, admin_user, "/invite manager")
    code = invitation.text.split("start=")[1].strip()
    welcome = await say(telegram, stranger, f"/start {code}")
    assert "manager" in welcome.text
    assert (await app.services.users.actor(stranger.id)).role is Role.MANAGER
    intruder = User(777, "Mallory", language_code="en")
    assert "invitation is unknown" in (await say(telegram, intruder, f"/start {code}")).text
    users = await say(telegram, admin_user, "/users")
    assert "Stranger" in users.text


async def test_admin_adds_a_status_and_a_manager_cannot(
    app: Application, telegram: FakeTelegram, admin_user: User, anna_user: User
) -> None:
    await say(telegram, admin_user, "/start")
    listing = await say(telegram, admin_user, "/statuses add CALL_BACK Перезвонить | Call back")
    assert "CALL_BACK" in listing.text
    assert "нет прав" in (await say(telegram, anna_user, "/statuses add X2 Икс | X")).text
    assert "нет прав" in (await say(telegram, anna_user, "/users")).text
    mark = telegram.mark()
    await telegram.press(admin_user, listing, "▲ Перезвонить")
    await telegram.wait_for(lambda c: c.method == "editMessageText" and c.seq >= mark)
    codes = [s.code for s in await app.services.directories.process_statuses()]
    assert codes == ["NEW", "IN_PROCESS", "CALL_BACK", "PROCESSED"]


async def test_the_pipeline_never_adds_currencies(
    app: Application, telegram: FakeTelegram, anna_user: User
) -> None:
    await app.services.leads.create(LeadDraft(name="Рубли", amount="1000"))
    await app.services.leads.create(LeadDraft(name="Евро", amount="100", currency="EUR"))
    pipeline = await say(telegram, anna_user, "/leads")
    assert "Новый: <b>2</b> · 100,00\xa0€, 1\xa0000,00\xa0₽" in pipeline.text
