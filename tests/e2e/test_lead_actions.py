"""Conversations around a lead card: link, convert, junk, exclude, edits everywhere, forged presses."""

from datetime import timedelta

from db.enums import OwnerType, Role
from leadbot.app import Application
from leadbot.clock import FrozenClock
from leadbot.services.comms import comms_of
from leadbot.services.conversion import ConvertRequest
from leadbot.services.lead_input import LeadDraft
from tests.conftest import ALERT_CHAT_ID
from tests.e2e.conftest import answer_after, card_of, card_sent, post_lead
from tests.fakes.telegram import Call, FakeTelegram, Person, User


async def lead_id_of(card: Call) -> int:
    lead_id = card_of(card)
    assert lead_id is not None
    return lead_id


async def known_contact(app: Application) -> int:
    """Ivan Petrov, a client with +7 916 123-45-67, made from an earlier converted lead."""
    admin = await app.services.users.add(1000, Role.ADMIN, "Alla")
    earlier = await app.services.leads.create(LeadDraft(name="Иван Петров", phones=["+79161234567"]))
    assert earlier.lead is not None
    done = await app.services.conversion.convert(earlier.lead.id, ConvertRequest(contact=True), admin)
    assert done.contact is not None
    return done.contact.id


async def test_link_to_a_contact_found_by_a_differently_written_phone(
    app: Application, telegram: FakeTelegram, anna: Person
) -> None:
    contact_id = await known_contact(app)
    alert = await post_lead(app, telegram, name="Ваня", phones=["+7 903 555-44-33"])
    card = await anna.says(f"/lead {await lead_id_of(alert)}")

    await anna.opens(card, "Привязать")
    await anna.press(card, "Поиск")
    assert "телефон" in (await anna.hears()).text
    picker = await anna.says("8 (916) 123-45-67")
    assert "Иван Петров" in picker.labels

    assert "Привязан" in (await anna.press(picker, "Иван Петров")).text
    assert "Иван Петров" in (await telegram.message_now(alert, showing="Повторный")).text
    async with app.services.ctx.reading() as session:
        phones = {c.normalized for c in await comms_of(session, OwnerType.CONTACT, contact_id)}
    assert phones == {"+79161234567", "+79035554433"}


async def test_convert_in_the_group_asks_for_a_missing_name_by_force_reply(
    app: Application, telegram: FakeTelegram, anna: Person
) -> None:
    alert = await post_lead(app, telegram, name="1", phones=["+7 903 111-22-33"], amount="5000")
    await anna.press(alert, "Взять")
    await telegram.message_now(alert, showing="Anna")
    menu = (await anna.opens(alert, "Конвертировать")).labels
    assert "☑️ 👤 Контакт" in menu and "☑️ 💼 Сделка" in menu and "🔘 клиент" in menu

    await anna.press(alert, "Создать")
    question = await telegram.next_message(ALERT_CHAT_ID)
    assert question.params["reply_markup"]["force_reply"] is True
    mention, prompt = question.text.split("\n")
    assert "tg://user?id=3001" in mention and prompt[0].isupper()

    done = await anna.says("Мария Сидорова", chat_id=ALERT_CHAT_ID, replying_to=question)
    assert "сконвертирован" in done.text
    edited = await telegram.message_now(alert, showing="Сконвертирован")
    assert "Мария Сидорова" in edited.text and "сделка #" in edited.text
    assert [b["text"] for b in edited.buttons] == ["📜 История", "♻️ Открыть заново"]


async def test_convert_in_private_chat_refuses_a_placeholder_then_takes_a_real_name(
    app: Application, telegram: FakeTelegram, anna: Person
) -> None:
    alert = await post_lead(app, telegram, name="test", phones=["+7 903 111-22-34"])
    card = await anna.says(f"/lead {await lead_id_of(alert)}")
    await anna.press(card, "Взять")
    await telegram.message_now(card, showing="Anna")
    await anna.opens(card, "Конвертировать")
    await anna.press(card, "Создать")
    question = await anna.hears()
    assert "нет настоящего имени" in question.text and question.text.startswith("У лида")

    assert "настоящее имя" in (await anna.says("2")).text
    card_now = await app.services.queries.card(await lead_id_of(alert))
    assert card_now.is_open


async def test_junk_with_a_reason(
    app: Application, telegram: FakeTelegram, lead_alert: Call, anna: Person
) -> None:
    await anna.opens(lead_alert, "Брак")
    assert "брак" in (await anna.press(lead_alert, "Ошиблись номером")).text
    edited = await telegram.message_now(lead_alert, showing="Брак: Ошиблись номером")
    assert "Anna" in edited.text


async def test_exclude_then_the_same_phone_creates_no_lead(
    app: Application, telegram: FakeTelegram, lead_alert: Call, anna: Person
) -> None:
    await anna.opens(lead_alert, "Исключить")
    assert "Исключено: 1" in (await anna.press(lead_alert, "Да, исключить")).text
    await telegram.message_now(lead_alert, showing="Спам")
    again = await app.services.leads.create(LeadDraft(name="Снова", phones=["8 916 123 45 67"]))
    assert again.excluded
    listing = await anna.says("/exclusions")
    assert "+7 916 123-45-67" in listing.text and "заблокировано: 1" in listing.text


async def test_card_is_edited_in_every_chat_where_it_was_posted(
    app: Application, telegram: FakeTelegram, anna: Person, sveta: Person
) -> None:
    anna_actor = await app.services.users.actor(anna.id)
    outcome = await app.services.leads.create(
        LeadDraft(name="Олег", phones=["+79031112299"], assignee_id=anna_actor.id)
    )
    assert outcome.lead is not None
    group_card = await card_sent(telegram, ALERT_CHAT_ID, outcome.lead.id)
    anna_card = await card_sent(telegram, anna.id, outcome.lead.id)
    sveta_card = await sveta.says(f"/lead {outcome.lead.id}")
    assert "Take" not in sveta_card.text and "Status" in sveta_card.labels

    await anna.opens(anna_card, "Статус")
    await anna.press(anna_card, "Обработан")
    for card, word in ((group_card, "Обработан"), (anna_card, "Обработан"), (sveta_card, "Processed")):
        edited = await telegram.message_now(card, showing=word)
        assert "Anna" in edited.text


async def test_forged_and_foreign_presses_change_nothing(
    app: Application, telegram: FakeTelegram, anna_user: User, boris_user: User
) -> None:
    from handlers.callbacks import SetStatusCb

    anna = await app.services.users.actor(anna_user.id)
    alert = await post_lead(app, telegram, assignee_id=anna.id)
    lead_id = await lead_id_of(alert)
    version = (await app.services.queries.card(lead_id)).lead.version

    mark = telegram.mark()
    await telegram.press(
        boris_user, alert, SetStatusCb(lead_id=lead_id, v=version, status="PROCESSED").pack()
    )
    assert "нет прав" in (await answer_after(telegram, mark)).text
    mark = telegram.mark()
    await telegram.press(anna_user, alert, SetStatusCb(lead_id=424242, v=1, status="PROCESSED").pack())
    assert "не найден" in (await answer_after(telegram, mark)).text
    mark = telegram.mark()
    await telegram.press(anna_user, alert, "totally:forged")
    assert "устарела" in (await answer_after(telegram, mark)).text
    mark = telegram.mark()
    await telegram.press(
        anna_user, alert, SetStatusCb(lead_id=lead_id, v=version + 7, status="PROCESSED").pack()
    )
    assert "изменил кто-то другой" in (await answer_after(telegram, mark)).text

    card = await app.services.queries.card(lead_id)
    assert (card.lead.status_code, card.lead.version) == ("NEW", version)


async def test_stranger_is_refused_in_private_and_in_the_group(
    app: Application, telegram: FakeTelegram, clock: FrozenClock, stranger: User, lead_alert: Call
) -> None:
    for chat in (stranger.id, ALERT_CHAT_ID):
        for command in ("/find Иван", "/leads", "/lead 1", "/new"):
            clock.advance(timedelta(minutes=10))  # a stranger is told at most once per 10 minutes
            reply = await telegram.person(stranger).says(command, chat_id=chat)
            assert "not registered" in reply.text
            assert "Иван" not in reply.text


async def test_every_question_of_a_card_starts_with_a_capital_letter(
    app: Application, telegram: FakeTelegram, lead_alert: Call, anna: Person
) -> None:
    async def question(menus: tuple[str, ...], button: str) -> str:
        card = await anna.says("/lead 1")
        for menu in menus:
            await anna.opens(card, menu)
        await anna.press(card, button)
        asked = await anna.hears()
        await anna.says("/cancel")
        return asked.text

    questions = [
        await question(("Привязать",), "Поиск"),
        await question(("Напомнить", "Звонок"), "Другое время"),
        await question((), "Комментарий"),
    ]
    assert [q[:1].isupper() for q in questions] == [True, True, True], questions
