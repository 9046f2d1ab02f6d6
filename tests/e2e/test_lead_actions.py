"""Conversations around a lead card: link, convert, junk, exclude, edits everywhere, forged presses."""

from datetime import timedelta

from sqlalchemy import select

from db.enums import OwnerType, Role
from db.models import Communication
from leadbot.app import Application
from leadbot.clock import FrozenClock
from leadbot.services.conversion import ConvertRequest
from leadbot.services.lead_input import LeadDraft
from tests.conftest import ALERT_CHAT_ID
from tests.e2e.conftest import answer_after, card_edit, card_of, open_card, open_menu, post_lead
from tests.fakes.telegram import Call, FakeTelegram, User


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
    app: Application, telegram: FakeTelegram, anna_user: User
) -> None:
    contact_id = await known_contact(app)
    alert = await post_lead(app, telegram, name="Ваня", phones=["+7 903 555-44-33"])
    lead_id = await lead_id_of(alert)
    card = await open_card(telegram, anna_user, lead_id)

    mark = telegram.mark()
    await telegram.press(anna_user, card, "Привязать")
    await telegram.wait_for(lambda c: c.method == "editMessageReplyMarkup" and c.seq >= mark)
    mark = telegram.mark()
    await telegram.press(anna_user, card, "Поиск")
    prompt = await telegram.reply_to(anna_user.id, after=mark)
    assert "телефон" in prompt.text

    mark = telegram.mark()
    await telegram.send_message(anna_user, "8 (916) 123-45-67")
    picker = await telegram.reply_to(anna_user.id, after=mark)
    assert "Иван Петров" in " ".join(b["text"] for b in picker.buttons)

    mark = telegram.mark()
    await telegram.press(anna_user, picker, "Иван Петров")
    assert "Привязан" in (await answer_after(telegram, mark)).text
    edited = await card_edit(telegram, alert, mark, "Повторный")
    assert "Иван Петров" in edited.text
    async with app.services.ctx.reading() as session:
        phones = set(
            await session.scalars(
                select(Communication.normalized).where(
                    Communication.owner_type == OwnerType.CONTACT, Communication.owner_id == contact_id
                )
            )
        )
    assert phones == {"+79161234567", "+79035554433"}


async def test_convert_in_the_group_asks_for_a_missing_name_by_force_reply(
    app: Application, telegram: FakeTelegram, anna_user: User
) -> None:
    alert = await post_lead(app, telegram, name="1", phones=["+7 903 111-22-33"], amount="5000")
    mark = telegram.mark()
    await telegram.press(anna_user, alert, "Взять")
    await card_edit(telegram, alert, mark, "Anna")
    mark = telegram.mark()
    await telegram.press(anna_user, alert, "Конвертировать")
    await telegram.wait_for(lambda c: c.method == "editMessageReplyMarkup" and c.seq >= mark)
    menu = " ".join(
        b["text"] for row in telegram.message_now(alert)["reply_markup"]["inline_keyboard"] for b in row
    )
    assert "☑️ 👤 Контакт" in menu and "☑️ 💼 Сделка" in menu and "🔘 клиент" in menu

    mark = telegram.mark()
    await telegram.press(anna_user, alert, "Создать")
    question = await telegram.reply_to(ALERT_CHAT_ID, after=mark)
    assert question.params["reply_markup"]["force_reply"] is True
    mention, prompt = question.text.split("\n")
    assert "tg://user?id=3001" in mention and prompt[0].isupper()

    mark = telegram.mark()
    await telegram.send_message(
        anna_user, "Мария Сидорова", chat_id=ALERT_CHAT_ID, reply_to_message=question.result
    )
    done = await telegram.reply_to(ALERT_CHAT_ID, after=mark)
    assert "сконвертирован" in done.text
    edited = await card_edit(telegram, alert, mark, "Сконвертирован")
    assert "Мария Сидорова" in edited.text and "сделка #" in edited.text
    assert [b["text"] for b in edited.buttons] == ["📜 История", "♻️ Открыть заново"]


async def test_convert_in_private_chat_refuses_a_placeholder_then_takes_a_real_name(
    app: Application, telegram: FakeTelegram, anna_user: User
) -> None:
    alert = await post_lead(app, telegram, name="test", phones=["+7 903 111-22-34"])
    card = await open_card(telegram, anna_user, await lead_id_of(alert))
    mark = telegram.mark()
    await telegram.press(anna_user, card, "Взять")
    await card_edit(telegram, card, mark, "Anna")
    mark = telegram.mark()
    await telegram.press(anna_user, card, "Конвертировать")
    await telegram.wait_for(lambda c: c.method == "editMessageReplyMarkup" and c.seq >= mark)
    mark = telegram.mark()
    await telegram.press(anna_user, card, "Создать")
    question = await telegram.reply_to(anna_user.id, after=mark)
    assert "нет настоящего имени" in question.text and question.text.startswith("У лида")

    mark = telegram.mark()
    await telegram.send_message(anna_user, "2")
    refusal = await telegram.reply_to(anna_user.id, after=mark)
    assert "настоящее имя" in refusal.text
    card_now = await app.services.queries.card(await lead_id_of(alert))
    assert card_now.is_open


async def test_junk_with_a_reason(
    app: Application, telegram: FakeTelegram, lead_alert: Call, anna_user: User
) -> None:
    await open_menu(telegram, anna_user, lead_alert, "Брак")
    mark = telegram.mark()
    await telegram.press(anna_user, lead_alert, "Ошиблись номером")
    assert "брак" in (await answer_after(telegram, mark)).text
    edited = await card_edit(telegram, lead_alert, mark, "Брак: Ошиблись номером")
    assert "Anna" in edited.text


async def test_exclude_then_the_same_phone_creates_no_lead(
    app: Application, telegram: FakeTelegram, lead_alert: Call, anna_user: User
) -> None:
    await open_menu(telegram, anna_user, lead_alert, "Исключить")
    mark = telegram.mark()
    await telegram.press(anna_user, lead_alert, "Да, исключить")
    assert "Исключено: 1" in (await answer_after(telegram, mark)).text
    await card_edit(telegram, lead_alert, mark, "Спам")
    again = await app.services.leads.create(LeadDraft(name="Снова", phones=["8 916 123 45 67"]))
    assert again.excluded
    mark = telegram.mark()
    await telegram.send_message(anna_user, "/exclusions")
    listing = await telegram.reply_to(anna_user.id, after=mark)
    assert "+7 916 123-45-67" in listing.text and "заблокировано: 1" in listing.text


async def test_card_is_edited_in_every_chat_where_it_was_posted(
    app: Application, telegram: FakeTelegram, anna_user: User, sveta_user: User
) -> None:
    anna = await app.services.users.actor(anna_user.id)
    mark = telegram.mark()
    outcome = await app.services.leads.create(
        LeadDraft(name="Олег", phones=["+79031112299"], assignee_id=anna.id)
    )
    assert outcome.lead is not None
    group_card = await telegram.reply_to(ALERT_CHAT_ID, after=mark)
    anna_card = await telegram.reply_to(anna_user.id, after=mark)
    sveta_card = await open_card(telegram, sveta_user, outcome.lead.id)
    assert "Take" not in sveta_card.text and "Status" in " ".join(b["text"] for b in sveta_card.buttons)

    mark = telegram.mark()
    await open_menu(telegram, anna_user, anna_card, "Статус")
    await telegram.press(anna_user, anna_card, "Обработан")
    for card, word in ((group_card, "Обработан"), (anna_card, "Обработан"), (sveta_card, "Processed")):
        edited = await card_edit(telegram, card, mark, word)
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
            mark = telegram.mark()
            await telegram.send_message(stranger, command, chat_id=chat)
            reply = await telegram.reply_to(chat, after=mark)
            assert "not registered" in reply.text
            assert "Иван" not in reply.text


async def test_every_question_of_a_card_starts_with_a_capital_letter(
    app: Application, telegram: FakeTelegram, lead_alert: Call, anna_user: User
) -> None:
    async def question(menus: tuple[str, ...], button: str) -> str:
        card = await open_card(telegram, anna_user, 1)
        for menu in menus:
            await open_menu(telegram, anna_user, card, menu)
        mark = telegram.mark()
        await telegram.press(anna_user, card, button)
        asked = await telegram.reply_to(anna_user.id, after=mark)
        mark = telegram.mark()
        await telegram.send_message(anna_user, "/cancel")
        await telegram.reply_to(anna_user.id, after=mark)
        return asked.text

    questions = [
        await question(("Привязать",), "Поиск"),
        await question(("Напомнить", "Звонок"), "Другое время"),
        await question((), "Комментарий"),
    ]
    assert [q[:1].isupper() for q in questions] == [True, True, True], questions
