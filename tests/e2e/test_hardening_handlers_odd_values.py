"""Odd values in button data and commands (issue 11, finding 12): every press and command is answered
with a clear refusal, never an exception or silence."""

from __future__ import annotations

import pytest
from aiogram.filters.callback_data import CallbackData

from db.enums import Role
from handlers.callbacks import ConvertMenuCb, RemindCb, TakeCb
from leadbot.app import Application
from tests.conftest import ADMIN_TG
from tests.e2e.conftest import answer_after
from tests.fakes.telegram import Call, FakeTelegram, User

HUGE = "99999999999999999999999"  # far above 2^63
JUST_ABOVE_INT64 = str(2**63)


@pytest.fixture
async def boss(app: Application) -> User:
    await app.services.users.add(ADMIN_TG, Role.ADMIN, "Alla")
    return User(ADMIN_TG, "Alla", language_code="en")


async def say(telegram: FakeTelegram, user: User, text: str) -> Call:
    mark = telegram.mark()
    await telegram.send_message(user, text)
    return await telegram.reply_to(user.id, after=mark)


@pytest.mark.parametrize(
    "data",
    [
        f"Lop:{HUGE}",
        f"Lop:{JUST_ABOVE_INT64}",
        "Lop:²",
        "Lop:-1",
        f"Lt:{HUGE}:0",
        f"Lc:1:{HUGE}",
        f"Lh:1:0:{HUGE}",
        f"Lr:1:0:call:{HUGE}",
        f"Lra:1:0:call:{JUST_ABOVE_INT64}:m10",
        "Lcm:1:0:5:0:1:client",
        "Lcv:1:0:1:0:1:friend",
        f"R:d:{HUGE}",
        "R:s15:²",
        f"P:my:{HUGE}::0",
        "P:my:-1::0",
        f"Us:{HUGE}",
        f"Uv:1:{HUGE}",
        "Uv:1:²",
        "Ur:1:emperor",
        f"E:page:0:{HUGE}",
        f"E:del:{HUGE}:0",
    ],
)
async def test_a_forged_press_with_an_odd_number_is_refused(
    app: Application, telegram: FakeTelegram, boss: User, data: str
) -> None:
    menu = await say(telegram, boss, "/report")
    mark = telegram.mark()
    await telegram.press(boss, menu, data)
    answer = await answer_after(telegram, mark)
    assert answer.params["text"] == "This button is outdated."


@pytest.mark.parametrize(
    ("factory", "field", "odd"),
    [
        (ConvertMenuCb, "contact", "5²"),
        (ConvertMenuCb, "contact_type", "²5"),
        (RemindCb, "who", "999999999999"),
        (RemindCb, "who", "٣"),
        (RemindCb, "who", "²"),
        (RemindCb, "kind", "t@2147483648/m10"),
    ],
)
async def test_an_odd_number_inside_a_card_menu_press_is_answered(
    app: Application,
    telegram: FakeTelegram,
    boss: User,
    lead_alert: Call,
    factory: type[CallbackData],
    field: str,
    odd: str,
) -> None:
    """A card button (Convert, Remind) with one of its fields forged."""
    button = lead_alert.button("✅" if factory is ConvertMenuCb else "⏰")["callback_data"]
    parts = factory.unpack(button).pack().split(":")
    parts[1 + list(factory.model_fields).index(field)] = odd
    mark = telegram.mark()
    await telegram.press(boss, lead_alert, ":".join(parts))
    await answer_after(telegram, mark)


@pytest.mark.parametrize(
    ("number", "refusal"),
    [
        ("100000000000000000000", "Lead #100000000000000000000 was not found."),
        (JUST_ABOVE_INT64, f"Lead #{JUST_ABOVE_INT64} was not found."),
        ("²", "Write the lead's number: /lead 123"),
        ("١٢٣", "Write the lead's number: /lead 123"),
    ],
)
async def test_lead_command_with_an_odd_number_is_refused(
    app: Application, telegram: FakeTelegram, boss: User, number: str, refusal: str
) -> None:
    assert (await say(telegram, boss, f"/lead {number}")).text == refusal


@pytest.mark.parametrize(
    "period", ["01.01.9999-31.12.9999", "01.01.9999-05.01.9999", "01.01.0001-02.01.0001"]
)
async def test_a_report_period_at_the_edge_of_the_calendar_is_answered(
    app: Application, telegram: FakeTelegram, boss: User, period: str
) -> None:
    menu = await say(telegram, boss, "/report")
    mark = telegram.mark()
    await telegram.press(boss, menu, "By manager")
    await telegram.wait_for(lambda c: c.method == "editMessageReplyMarkup" and c.seq >= mark)
    mark = telegram.mark()
    await telegram.press(boss, menu, "Dates")
    await telegram.reply_to(boss.id, after=mark)
    assert (await say(telegram, boss, period)).text == f"Invalid period: {period}."


@pytest.mark.parametrize(
    "press",
    [
        "Ll:{lead}:{v}:c:²",
        "Ll:{lead}:{v}:o:²",
        "Lh:{lead}:{v}:²",
        f"Ll:{{lead}}:{{v}}:c:{HUGE}",
        f"Lh:{{lead}}:{{v}}:{HUGE}",
    ],
)
async def test_an_odd_argument_of_a_link_or_history_press_is_answered(
    app: Application, telegram: FakeTelegram, boss: User, lead_alert: Call, press: str
) -> None:
    card = TakeCb.unpack(lead_alert.buttons[0]["callback_data"])
    mark = telegram.mark()
    await telegram.press(boss, lead_alert, press.format(lead=card.lead_id, v=card.v))
    await answer_after(telegram, mark)


@pytest.mark.parametrize("query", ["²", HUGE])
async def test_find_with_an_odd_number_is_answered(
    app: Application, telegram: FakeTelegram, boss: User, query: str
) -> None:
    assert (await say(telegram, boss, f"/find {query}")).text
