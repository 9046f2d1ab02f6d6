"""Odd values in button data and commands (issue 11, finding 12): every press and command is answered
with a clear refusal, never an exception or silence."""

from __future__ import annotations

import pytest

from db.enums import Role
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
        f"L:op:{HUGE}:0:",
        f"L:op:{JUST_ABOVE_INT64}:0:",
        "L:op:²:0:",
        "L:op:-1:0:",
        f"L:t:{HUGE}:0:",
        f"L:c:1:{HUGE}:",
        f"R:d:{HUGE}",
        "R:s15:²",
        f"P:my:{HUGE}::0",
        "P:my:-1::0",
        f"U:s:{HUGE}:",
        f"U:v:1:{HUGE}",
        "U:v:1:²",
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


@pytest.mark.parametrize("arg", ["5²", "²5", "c@999999999999", "c@٣", "c@²", "t@2147483648/m10"])
async def test_an_odd_number_inside_a_card_menu_press_is_answered(
    app: Application, telegram: FakeTelegram, boss: User, lead_alert: Call, arg: str
) -> None:
    button = lead_alert.button("✅" if arg[0] in "5²" else "⏰")["callback_data"]  # Convert, Remind
    prefix, op, lead_id, version, _arg = button.split(":")
    mark = telegram.mark()
    await telegram.press(boss, lead_alert, ":".join([prefix, op, lead_id, version, arg]))
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


@pytest.mark.parametrize(("op", "arg"), [("lc", "²"), ("lo", "²"), ("h", "²"), ("lc", HUGE), ("h", HUGE)])
async def test_an_odd_argument_of_a_link_or_history_press_is_answered(
    app: Application, telegram: FakeTelegram, boss: User, lead_alert: Call, op: str, arg: str
) -> None:
    prefix, _op, lead_id, version, _arg = lead_alert.buttons[0]["callback_data"].split(":")
    mark = telegram.mark()
    await telegram.press(boss, lead_alert, ":".join([prefix, op, lead_id, version, arg]))
    await answer_after(telegram, mark)


@pytest.mark.parametrize("query", ["²", HUGE])
async def test_find_with_an_odd_number_is_answered(
    app: Application, telegram: FakeTelegram, boss: User, query: str
) -> None:
    assert (await say(telegram, boss, f"/find {query}")).text
