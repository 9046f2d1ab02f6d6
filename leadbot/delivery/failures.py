"""What a failed delivery means for its outbox row: every answer, from Telegram or from the way to it,
is classified here and nowhere else."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from aiogram.exceptions import (
    AiogramError,
    ClientDecodeError,
    TelegramBadRequest,
    TelegramEntityTooLarge,
    TelegramForbiddenError,
    TelegramMigrateToChat,
    TelegramNetworkError,
    TelegramNotFound,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiohttp import ClientError

from leadbot.errors import DomainError

MAX_BACKOFF = 300  # seconds
REASON_LENGTH = 255  # the outbox's last_error column


class Verdict(StrEnum):
    DONE = "done"  # an edit found the card already showing this: as good as sent
    GONE = "gone"  # the card to edit was deleted: forget it, drop the row
    PERMANENT = "permanent"  # will never be delivered: drop the row, saying why
    MOVED = "moved"  # the group became a supergroup: send there instead
    TRANSIENT = "transient"  # Telegram or the network is unwell: try again later
    UNKNOWN = "unknown"  # not understood: try again later all the same, never in a hot loop


@dataclass(frozen=True)
class Failure:
    verdict: Verdict
    reason: str  # one line, short enough for the row and the log
    retry_after: int | None = None  # what a 429 asked for
    moved_to: int | None = None  # the supergroup's chat id
    expected: bool = True  # False: something other than Telegram failed (a bug); worth a traceback

    def backoff(self, attempts: int) -> int:
        """Seconds to wait after the `attempts`-th failure: as Telegram asked, else 2, 4, 8… up to a cap."""
        if self.retry_after is not None:
            return self.retry_after
        return int(min(2**attempts, MAX_BACKOFF))


def classify(error: BaseException) -> Failure:
    reason = _one_line(error)
    match error:
        case TelegramBadRequest() if "message is not modified" in error.message:
            return Failure(Verdict.DONE, reason)
        case TelegramBadRequest() if "message to edit not found" in error.message:
            return Failure(Verdict.GONE, reason)
        case TelegramRetryAfter():
            return Failure(Verdict.TRANSIENT, reason, retry_after=error.retry_after)
        case TelegramMigrateToChat():
            return Failure(Verdict.MOVED, reason, moved_to=error.migrate_to_chat_id)
        case TelegramEntityTooLarge() | TelegramBadRequest() | TelegramNotFound() | TelegramForbiddenError():
            return Failure(Verdict.PERMANENT, reason)
        case DomainError():  # the row cannot be rendered (e.g. its lead is gone)
            return Failure(Verdict.PERMANENT, reason)
        case TelegramServerError() | TelegramNetworkError() | TimeoutError() | ClientError():
            return Failure(Verdict.TRANSIENT, reason)
        case _:  # a 401 (the token, not the row, is wrong), a proxy's HTML page, a bug in rendering
            return Failure(Verdict.UNKNOWN, reason, expected=isinstance(error, AiogramError))


def _one_line(error: BaseException) -> str:
    text = getattr(error, "message", None) or str(error)
    if isinstance(error, ClientDecodeError):  # the body is the useful part (e.g. "502 Bad Gateway")
        text = f"{text}: {error.data}"
    return " ".join(f"{type(error).__name__}: {text}".split())[:REASON_LENGTH]
