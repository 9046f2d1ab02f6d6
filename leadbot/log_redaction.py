"""No secret reaches a log line: the bot token, the API token and the webhook secret are masked in every
record's message, traceback and stack, and so is the token in any Bot API URL (`/bot<token>/…`,
`/file/bot<token>/…`), whoever logs it (aiogram, aiohttp, asyncio or our code).

The filter runs when a record is created (through the log record factory) rather than on a handler or a
logger: a logger's filter misses what propagates from child loggers, and a handler's misses handlers added
later. Tracebacks are formatted (and masked) at that moment, because an exception's text, such as
aiohttp's "404, url='…/file/bot<token>/…'", is only rendered by the handler otherwise.
"""

from __future__ import annotations

import logging
import re
import traceback
from typing import Any

MASK = "***"
_BOT_API_TOKEN = re.compile(r"(/bot)\d+:[\w-]+")


class SecretsFilter(logging.Filter):
    """Rewrites a record in place so that it carries no secret; never drops one."""

    def __init__(self) -> None:
        super().__init__()
        self._secrets: set[str] = set()

    def add(self, *secrets: str | None) -> None:
        self._secrets.update(secret for secret in secrets if secret)

    def redact(self, text: str) -> str:
        for secret in sorted(self._secrets, key=len, reverse=True):
            text = text.replace(secret, MASK)
        return _BOT_API_TOKEN.sub(r"\1" + MASK, text)

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string: keep what there is, masked
            message = f"{record.msg} {record.args!r}"
        record.msg, record.args = self.redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
        record.exc_info = None  # formatters print exc_text, which is masked
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        return True


class _FilteredRecords:
    """A log record factory: the previous factory's record, passed through the filter."""

    def __init__(self, make: Any, secrets: SecretsFilter) -> None:
        self._make = make
        self.secrets = secrets

    def __call__(self, *args: Any, **kwargs: Any) -> logging.LogRecord:
        record: logging.LogRecord = self._make(*args, **kwargs)
        self.secrets.filter(record)
        return record


def redact_secrets(*secrets: str | None) -> SecretsFilter:
    """Mask these secrets in every log record from now on (installed once per process; later calls add
    their secrets to the same filter)."""
    factory = logging.getLogRecordFactory()
    if not isinstance(factory, _FilteredRecords):
        factory = _FilteredRecords(factory, SecretsFilter())
        logging.setLogRecordFactory(factory)
    factory.secrets.add(*secrets)
    return factory.secrets
