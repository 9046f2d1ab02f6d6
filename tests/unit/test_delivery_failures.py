"""Every kind of failed delivery gets one verdict (leadbot.delivery.failures)."""

from __future__ import annotations

import pytest
from aiogram.exceptions import (
    ClientDecodeError,
    RestartingTelegram,
    TelegramBadRequest,
    TelegramConflictError,
    TelegramEntityTooLarge,
    TelegramForbiddenError,
    TelegramMigrateToChat,
    TelegramNetworkError,
    TelegramNotFound,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiogram.methods import SendMessage
from aiohttp import ServerDisconnectedError

from leadbot.delivery.failures import MAX_BACKOFF, Verdict, classify
from leadbot.errors import NotFound

SEND = SendMessage(chat_id=-100, text="hi")


@pytest.mark.parametrize(
    ("error", "verdict"),
    [
        (TelegramBadRequest(SEND, "Bad Request: message is not modified"), Verdict.DONE),
        (TelegramBadRequest(SEND, "Bad Request: message to edit not found"), Verdict.GONE),
        (TelegramBadRequest(SEND, "Bad Request: chat not found"), Verdict.PERMANENT),
        (TelegramNotFound(SEND, "Not Found"), Verdict.PERMANENT),
        (TelegramForbiddenError(SEND, "Forbidden: bot was blocked by the user"), Verdict.PERMANENT),
        (TelegramEntityTooLarge(SEND, "Request Entity Too Large"), Verdict.PERMANENT),
        (NotFound(what="Lead", id=1), Verdict.PERMANENT),
        (TelegramMigrateToChat(SEND, "upgraded", migrate_to_chat_id=-1002), Verdict.MOVED),
        (TelegramRetryAfter(SEND, "Too Many Requests", retry_after=7), Verdict.TRANSIENT),
        (TelegramServerError(SEND, "Internal Server Error"), Verdict.TRANSIENT),
        (RestartingTelegram(SEND, "restart"), Verdict.TRANSIENT),
        (TelegramNetworkError(SEND, "Request timeout error"), Verdict.TRANSIENT),
        (TimeoutError(), Verdict.TRANSIENT),
        (ServerDisconnectedError(), Verdict.TRANSIENT),
        (TelegramUnauthorizedError(SEND, "Unauthorized"), Verdict.UNKNOWN),
        (TelegramConflictError(SEND, "Conflict"), Verdict.UNKNOWN),
        (ClientDecodeError("Failed to decode object", ValueError("x"), "<html>502</html>"), Verdict.UNKNOWN),
        (KeyError("text"), Verdict.UNKNOWN),
    ],
    ids=lambda value: type(value).__name__ if isinstance(value, BaseException) else str(value),
)
def test_each_failure_has_one_verdict(error: BaseException, verdict: Verdict) -> None:
    failure = classify(error)
    assert failure.verdict is verdict
    assert "\n" not in failure.reason and len(failure.reason) <= 255


def test_backoff_doubles_up_to_a_cap_and_honours_retry_after() -> None:
    outage = classify(TelegramServerError(SEND, "Bad Gateway"))
    assert [outage.backoff(attempts) for attempts in (1, 2, 3, 4)] == [2, 4, 8, 16]
    assert outage.backoff(50) == MAX_BACKOFF
    assert classify(TelegramRetryAfter(SEND, "Too Many Requests", retry_after=7)).backoff(5) == 7


def test_only_failures_outside_telegram_are_worth_a_traceback() -> None:
    assert classify(ClientDecodeError("Failed to decode object", ValueError("x"), "<html>")).expected
    assert not classify(KeyError("text")).expected


def test_a_move_names_the_supergroup() -> None:
    assert classify(TelegramMigrateToChat(SEND, "upgraded", migrate_to_chat_id=-1002)).moved_to == -1002
