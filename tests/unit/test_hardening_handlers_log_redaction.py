"""The logging filter that masks secrets (issue 11, finding 4)."""

from __future__ import annotations

import logging

import pytest

from leadbot.log_redaction import SecretsFilter, redact_secrets

TOKEN = "987654:unit-TEST-token"


def record_of(message: str, *args: object, exc: BaseException | None = None) -> logging.LogRecord:
    exc_info = (type(exc), exc, exc.__traceback__) if exc is not None else None
    return logging.LogRecord("leadbot.test", logging.ERROR, __file__, 1, message, args, exc_info)


def raised(error: BaseException) -> BaseException:
    try:
        raise error
    except BaseException as caught:
        return caught


def masked(record: logging.LogRecord) -> str:
    secrets = SecretsFilter()
    secrets.add(TOKEN, "api-secret-value", None, "")
    assert secrets.filter(record)
    return logging.Formatter("%(message)s").format(record)


def test_the_message_and_its_arguments_are_masked() -> None:
    text = masked(record_of("GET %s failed with %s", f"http://api/bot{TOKEN}/getMe", "api-secret-value"))
    assert text == "GET http://api/bot***/getMe failed with ***"


def test_a_traceback_is_masked() -> None:
    error = raised(RuntimeError(f"404, url='http://127.0.0.1/file/bot{TOKEN}/documents/x'"))
    text = masked(record_of("download failed", exc=error))
    assert TOKEN not in text
    assert "Traceback" in text and "/file/bot***/documents/x" in text


def test_a_token_nobody_registered_is_masked_in_a_bot_api_url() -> None:
    text = masked(record_of("see https://api.telegram.org/file/bot111:Other_token-1/photos/1.jpg"))
    assert text == "see https://api.telegram.org/file/bot***/photos/1.jpg"


def test_a_stack_is_masked() -> None:
    record = record_of("here")
    record.stack_info = f"Stack (most recent call last):\n  token = {TOKEN!r}"
    assert TOKEN not in masked(record)


def test_a_bad_format_string_still_logs_masked() -> None:
    assert TOKEN not in masked(record_of("%s and %s", TOKEN))


def test_installed_once_it_masks_every_record(caplog: pytest.LogCaptureFixture) -> None:
    first = redact_secrets("installed-secret-1")
    assert redact_secrets("installed-secret-2") is first
    logger = logging.getLogger("some.library")
    try:
        raise ValueError("installed-secret-2 in an exception")
    except ValueError:
        logger.exception("failed with %s", "installed-secret-1")
    assert "installed-secret" not in caplog.text
    assert "failed with ***" in caplog.text and "ValueError: *** in an exception" in caplog.text
